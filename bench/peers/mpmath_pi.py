"""`mpmath_pi.py N`: the first N digits of pi from mpmath on GMP, the baseline.

A peer of the benchmark (bench/), run by it with the Python that has mpmath
and gmpy2. mpmath's `pi_fixed` is Chudnovsky by binary splitting on GMP's
integers (through gmpy2), and `str()` of an mpz is GMP's decimal conversion.

Protocol, as the other peers: the digits on stdout, then on stderr the line
`seconds=S counts=c0,...,c9`, S being the time to digits and histogram (the
interpreter's start and the printing are not timed).
"""

import math, sys, time
import gmpy2
from mpmath.libmp import BACKEND
from mpmath.libmp.libelefun import pi_fixed
# Without gmpy2 mpmath falls back to Python's integers: not the GMP baseline.
assert BACKEND == "gmpy", f"mpmath uses {BACKEND}, not gmpy2"
n = int(sys.argv[1])
# pi_fixed's last bits are inexact: 20 digits more keep that error away
# from the n digits kept.
GUARD = 20
start = time.perf_counter()
prec = math.ceil((n + GUARD) * math.log2(10)) + 32
scaled = gmpy2.mpz(pi_fixed(prec)) * gmpy2.mpz(10) ** (n - 1 + GUARD) >> prec
text = str(scaled)[:n]
counts = [text.count(c) for c in "0123456789"]
seconds = time.perf_counter() - start
sys.stdout.write(text)
sys.stdout.flush()
sys.stderr.write("seconds=%r counts=%s\n" % (seconds, ",".join(map(str, counts))))
