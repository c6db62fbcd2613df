// interrupt.cpp — a flag and a self-pipe written from the signal handler.
#include "interrupt.hpp"

#include <fcntl.h>
#include <signal.h>
#include <unistd.h>

namespace tito {

namespace {

volatile sig_atomic_t g_interrupted = 0;
int g_pipe[2] = {-1, -1};

void on_signal(int) {
    g_interrupted = 1;
    const char byte = 1;
    // Only async-signal-safe calls here; a full pipe means it is readable already.
    [[maybe_unused]] auto _ = ::write(g_pipe[1], &byte, 1);
}

}  // namespace

void install_interrupt_handlers() {
    if (g_pipe[0] >= 0) return;
    if (::pipe2(g_pipe, O_CLOEXEC | O_NONBLOCK) != 0) return;  // then signals keep their defaults
    struct sigaction action {};
    action.sa_handler = on_signal;
    sigemptyset(&action.sa_mask);
    action.sa_flags = 0;  // no SA_RESTART: blocking calls return EINTR and look at the flag
    ::sigaction(SIGINT, &action, nullptr);
    ::sigaction(SIGTERM, &action, nullptr);
}

bool interrupt_requested() { return g_interrupted != 0; }

int interrupt_fd() { return g_pipe[0]; }

}  // namespace tito
