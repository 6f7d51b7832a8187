// The header's one function is inline; this file gives the target a source, as SwiftPM wants.
#include "CByteScan.h"
