// interrupt.hpp — Ctrl-C (SIGINT) and SIGTERM, handled so that tito stops
// what it runs instead of leaving it behind.
//
// The children tito starts (cmake, test programs, milestones) run in process
// groups of their own, so the terminal's Ctrl-C reaches tito alone. tito's
// handler only records the signal; run_process() sees it, kills the child's
// group and reports `interrupted`; a download aborts and keeps its partial
// file; `tito module watch` ends its loop. main() then exits with 130.
#pragma once

namespace tito {

// Installs the handlers (main() does, once).
void install_interrupt_handlers();
// True once SIGINT or SIGTERM has arrived.
bool interrupt_requested();
// A file descriptor that becomes readable when a signal arrives, for poll();
// -1 before the handlers are installed.
int interrupt_fd();

// Thrown by a command that stopped because of the signal; main() exits 130.
struct Interrupted {};

}  // namespace tito
