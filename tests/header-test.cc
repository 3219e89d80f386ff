// Build-only test: the public headers compile from C++.
#include <libgmap/libgmap.h>

int main()
{
	return 0;
}
