// flightrec: a crash-safe on-disk ring buffer for any stream. See man/flightrec.1.
#include "cli.hpp"

int main(int argc, char** argv) { return flightrec::run(argc, argv); }
