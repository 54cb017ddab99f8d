// Giving up root after the capture is open (-Z), as tcpdump does.
#pragma once

#include <string>

namespace rpcspy {

// Changes the process to `user`: its supplementary groups, group and user id, for
// good (real, effective and saved ids). On failure returns false and says why.
bool drop_privileges(const std::string& user, std::string& why);

}  // namespace rpcspy
