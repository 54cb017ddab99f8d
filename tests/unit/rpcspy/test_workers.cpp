#include <catch2/catch.hpp>

#include <cstdio>
#include <string>
#include <thread>
#include <vector>

#include <unistd.h>

#include "rpcspy/workers.hpp"

using rpcspy::BlockOutput;

TEST_CASE("workers: blocks of lines from several threads never mix", "[workers]") {
    char path[] = "/tmp/rpcspy-block-output.XXXXXX";
    int fd = mkstemp(path);
    REQUIRE(fd >= 0);
    BlockOutput output(fd);
    constexpr int kThreads = 4, kBlocks = 200, kLines = 100;
    std::vector<std::thread> threads;
    for (int t = 0; t < kThreads; ++t)
        threads.emplace_back([&output, t] {
            common::OutBuffer block;  // no descriptor: emptied by output.write
            for (int b = 0; b < kBlocks; ++b) {
                for (int l = 0; l < kLines; ++l) {
                    block.put("worker ");
                    block.put_u64(static_cast<std::uint64_t>(t));
                    block.put(std::string(static_cast<std::size_t>(40 + t * 7), static_cast<char>('a' + t)));
                    block.put('\n');
                }
                CHECK(output.write(block));
                CHECK(block.size() == 0);
            }
        });
    for (auto& th : threads) th.join();
    CHECK_FALSE(output.failed());

    std::string all;
    char buf[65536];
    REQUIRE(lseek(fd, 0, SEEK_SET) == 0);
    for (ssize_t n; (n = read(fd, buf, sizeof buf)) > 0;) all.append(buf, static_cast<std::size_t>(n));
    close(fd);
    unlink(path);
    int lines = 0, bad = 0;
    for (std::size_t start = 0; start < all.size();) {
        std::size_t end = all.find('\n', start);
        REQUIRE(end != std::string::npos);
        std::string line = all.substr(start, end - start);
        int t = line.size() > 7 ? line[7] - '0' : -1;
        if (t < 0 || t >= kThreads || line != "worker " + std::to_string(t) + std::string(static_cast<std::size_t>(40 + t * 7), static_cast<char>('a' + t))) ++bad;
        ++lines;
        start = end + 1;
    }
    CHECK(lines == kThreads * kBlocks * kLines);
    CHECK(bad == 0);
}

TEST_CASE("workers: a write error is reported and the block emptied", "[workers]") {
    BlockOutput output(-1);
    common::OutBuffer block;
    block.put("line\n");
    CHECK_FALSE(output.write(block));
    CHECK(output.failed());
    CHECK(block.size() == 0);
}
