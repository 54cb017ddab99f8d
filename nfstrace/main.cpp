// nfstrace: user-level opens, closes and file names from rpcspy records.
#include "nfstrace/nfstrace.hpp"

int main(int argc, char** argv) { return nfstrace::nfstrace_main(argc, argv); }
