#include <fcgiapp.h>
#include <fastcgi.h> /* FCGI_LISTENSOCK_FILENO lives here, not in fcgiapp.h */
