#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-3.0-or-later
# Runs pam_authenticate for SERVICE and USER with a conversation function
# that answers every prompt by returning STATUS (a PAM return value) and
# no response, the way a buggy or hostile application might; prints
# pam_authenticate's result as a number.  Usage: conv-status.py SERVICE
# USER STATUS
import ctypes
import ctypes.util
import sys

service, user, status = sys.argv[1], sys.argv[2], int(sys.argv[3])
pam = ctypes.CDLL(ctypes.util.find_library("pam"))

CONV = ctypes.CFUNCTYPE(ctypes.c_int, ctypes.c_int, ctypes.c_void_p,
                        ctypes.POINTER(ctypes.c_void_p), ctypes.c_void_p)


class PamConv(ctypes.Structure):
    _fields_ = [("conv", CONV), ("appdata_ptr", ctypes.c_void_p)]


def conv(n, msg, resp, appdata):
    resp[0] = None
    return status


cb = CONV(conv)
handle = ctypes.c_void_p()
pc = PamConv(cb, None)
pam.pam_start.argtypes = [ctypes.c_char_p, ctypes.c_char_p,
                          ctypes.POINTER(PamConv), ctypes.POINTER(ctypes.c_void_p)]
pam.pam_authenticate.argtypes = [ctypes.c_void_p, ctypes.c_int]
pam.pam_end.argtypes = [ctypes.c_void_p, ctypes.c_int]
r = pam.pam_start(service.encode(), user.encode(), ctypes.byref(pc),
                  ctypes.byref(handle))
if r != 0:
    print("pam_start failed", r, file=sys.stderr)
    sys.exit(2)
r = pam.pam_authenticate(handle, 0)
pam.pam_end(handle, r)
print(r)
