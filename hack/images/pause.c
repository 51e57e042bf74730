/* The pod sandbox's process: holds the pod's namespaces and reaps nothing else.
 * Built static (gcc -static) into an otherwise empty image by hack/images.sh. */
#include <signal.h>
#include <stdlib.h>
#include <unistd.h>

static void on_term(int sig) {
  (void)sig;
  _exit(0);
}

int main(void) {
  signal(SIGINT, on_term);
  signal(SIGTERM, on_term);
  for (;;) {
    pause();
  }
}
