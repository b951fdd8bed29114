/* For the tests under Wine only, never shipped: Rust's standard library
 * asks bcryptprimitives.dll for ProcessPrng (Windows 10 and later), which
 * Debian's Wine 8 lacks; this stand-in gives it from RtlGenRandom
 * (advapi32's SystemFunction036), which Wine has. Built by `just
 * test-windows` with mingw-w64 and put beside the test programs. */
#include <windows.h>

BOOLEAN WINAPI SystemFunction036(PVOID buffer, ULONG length);

BOOL WINAPI ProcessPrng(PBYTE data, SIZE_T length)
{
    while (length > 0) {
        ULONG chunk = length > 0x10000000 ? 0x10000000 : (ULONG)length;
        if (!SystemFunction036(data, chunk))
            return FALSE;
        data += chunk;
        length -= chunk;
    }
    return TRUE;
}
