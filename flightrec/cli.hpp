// The flightrec command line: subcommand dispatch and option parsing.
#pragma once

namespace flightrec {

// Runs one flightrec invocation; returns the exit status (see flightrec(1)).
int run(int argc, char** argv);

}  // namespace flightrec
