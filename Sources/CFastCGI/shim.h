#include <fcgiapp.h>
#include <fastcgi.h> /* FCGI_LISTENSOCK_FILENO lives here, not in fcgiapp.h */

#include <poll.h>
#include <signal.h>
#include <sys/epoll.h> /* the worker's wait for a connection: EPOLLEXCLUSIVE wakes one worker, not all */
#include <time.h>
/* ppoll(2) is a GNU extension that Swift's Glibc module leaves out; the worker waits for a connection
   with it, so a stop signal cannot slip in between checking for one and starting to wait. */
int ppoll(struct pollfd *fds, nfds_t nfds, const struct timespec *timeout, const sigset_t *sigmask);
