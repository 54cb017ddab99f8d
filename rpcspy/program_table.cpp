// The registry of decoded programs and the names of well-known program numbers.
#include "rpcspy/program_table.hpp"

namespace rpcspy {

namespace {

// Program numbers (RFC 5531 appendix, /etc/rpc, IANA "RPC Program Numbers").
constexpr std::uint32_t kPortmap = 100000;
constexpr std::uint32_t kNfs = 100003;
constexpr std::uint32_t kMount = 100005;
constexpr std::uint32_t kRquota = 100011;
constexpr std::uint32_t kNlm = 100021;
constexpr std::uint32_t kNsm = 100024;
constexpr std::uint32_t kNfsAcl = 100227;

struct ProgramName {
    std::uint32_t number;
    const char* name;
};

// Sorted by number. Names from /etc/rpc (netbase), with the short forms the
// record format uses: "portmap" (portmapper), "mount" (mountd), "rquota"
// (rquotad), "nlm" (nlockmgr); "status" is the NSM (statd) program.
constexpr ProgramName kNames[] = {
    {100000, "portmap"},    {100001, "rstatd"},      {100002, "rusersd"},
    {100003, "nfs"},        {100004, "ypserv"},      {100005, "mount"},
    {100007, "ypbind"},     {100008, "walld"},       {100009, "yppasswdd"},
    {100010, "etherstatd"}, {100011, "rquota"},      {100012, "sprayd"},
    {100017, "rexd"},       {100020, "llockmgr"},    {100021, "nlm"},
    {100023, "statmon"},    {100024, "status"},      {100026, "bootparam"},
    {100028, "ypupdated"},  {100029, "keyserv"},     {100069, "ypxfrd"},
    {100227, "nfs_acl"},    {100232, "sadmind"},     {150001, "pcnfsd"},
    {300019, "amd"},        {391002, "sgi_fam"},     {545580417, "ugidd"},
    {600100069, "fypxfrd"}, {788585389, "bwnfsd"},
};

}  // namespace

const Program* find_program(std::uint32_t program, std::uint32_t version) {
    // One static object (a single initialisation guard to check per call, not one per program).
    static const struct {
        Program nfs3{kNfs, 3, "nfs", nfs3_procedures()};
        Program nfs4{kNfs, 4, "nfs", nfs4_procedures()};
        Program nfs4_cb{kNfs4CbFirst, 1, "nfs_cb", nfs4_cb_procedures()};
        Program mount3{kMount, 3, "mount", mount3_procedures()};
        Program portmap2{kPortmap, 2, "portmap", portmap2_procedures()};
        Program nfs2{kNfs, 2, "nfs", nfs2_procedures()};
        Program mount1{kMount, 1, "mount", mount1_procedures()};
        Program mount2{kMount, 2, "mount", mount2_procedures()};
        Program rpcbind3{kPortmap, 3, "portmap", rpcbind3_procedures()};
        Program rpcbind4{kPortmap, 4, "portmap", rpcbind4_procedures()};
        Program nlm1{kNlm, 1, "nlm", nlm1_procedures()};
        Program nlm3{kNlm, 3, "nlm", nlm3_procedures()};
        Program nlm4{kNlm, 4, "nlm", nlm4_procedures()};
        Program nsm1{kNsm, 1, "status", nsm1_procedures()};
        Program nfsacl2{kNfsAcl, 2, "nfs_acl", nfsacl2_procedures()};
        Program nfsacl3{kNfsAcl, 3, "nfs_acl", nfsacl3_procedures()};
        Program rquota1{kRquota, 1, "rquota", rquota1_procedures()};
        Program rquota2{kRquota, 2, "rquota", rquota2_procedures()};
    } p;
    if (program == kNfs && version == 3) return &p.nfs3;
    if (program == kNfs && version == 4) return &p.nfs4;
    if (program >= kNfs4CbFirst && program <= kNfs4CbLast && version == 1) return &p.nfs4_cb;
    if (program == kMount && version == 3) return &p.mount3;
    if (program == kPortmap && version == 2) return &p.portmap2;
    if (program == kNfs && version == 2) return &p.nfs2;
    if (program == kMount && version == 1) return &p.mount1;
    if (program == kMount && version == 2) return &p.mount2;
    if (program == kPortmap && version == 3) return &p.rpcbind3;
    if (program == kPortmap && version == 4) return &p.rpcbind4;
    if (program == kNlm && version == 1) return &p.nlm1;
    if (program == kNlm && version == 3) return &p.nlm3;
    if (program == kNlm && version == 4) return &p.nlm4;
    if (program == kNsm && version == 1) return &p.nsm1;
    if (program == kNfsAcl && version == 2) return &p.nfsacl2;
    if (program == kNfsAcl && version == 3) return &p.nfsacl3;
    if (program == kRquota && version == 1) return &p.rquota1;
    if (program == kRquota && version == 2) return &p.rquota2;
    return nullptr;
}

const char* program_name(std::uint32_t program) {
    // Binary search over the sorted table.
    std::size_t lo = 0, hi = std::size(kNames);
    while (lo < hi) {
        std::size_t mid = lo + (hi - lo) / 2;
        if (kNames[mid].number < program)
            lo = mid + 1;
        else
            hi = mid;
    }
    return lo < std::size(kNames) && kNames[lo].number == program ? kNames[lo].name : nullptr;
}

}  // namespace rpcspy
