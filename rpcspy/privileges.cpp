#include "rpcspy/privileges.hpp"

#include <grp.h>
#include <pwd.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>

namespace rpcspy {

bool drop_privileges(const std::string& user, std::string& why) {
    errno = 0;
    const passwd* pw = ::getpwnam(user.c_str());
    if (!pw) {
        why = errno ? std::strerror(errno) : "no such user";
        return false;
    }
    // Order matters: groups and group id while still root, the user id last.
    if (::initgroups(pw->pw_name, pw->pw_gid) != 0 || ::setgid(pw->pw_gid) != 0 || ::setuid(pw->pw_uid) != 0) {
        why = std::string("cannot change to it: ") + std::strerror(errno);
        return false;
    }
    // Root must not be recoverable.
    if (pw->pw_uid != 0 && ::setuid(0) == 0) {
        why = "could change back to root after dropping privileges";
        return false;
    }
    return true;
}

}  // namespace rpcspy
