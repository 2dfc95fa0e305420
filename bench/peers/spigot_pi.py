"""`spigot_pi.py N`: the first N digits of pi from Gibbons' unbounded spigot.

A peer of the benchmark (bench/): the generator the original Pi Day app
used, on CPython's integers. It is quadratic, so the bench runs it only up
to `--spigot-max` digits.

Protocol, as the other peers: the digits on stdout, then on stderr the line
`seconds=S counts=c0,...,c9`, S being the time to digits and histogram (the
interpreter's start and the printing are not timed).
"""

import itertools, sys, time

def pi_digits():
    # Gibbons' unbounded spigot (2006), on CPython's integers.
    q, r, t, k, n, l = 1, 0, 1, 1, 3, 3
    while True:
        if 4 * q + r - t < n * t:
            yield n
            q, r, n = 10 * q, 10 * (r - n * t), (10 * (3 * q + r)) // t - 10 * n
        else:
            q, r, t, k, n, l = (q * k, (2 * q + r) * l, t * l, k + 1,
                                (q * (7 * k + 2) + r * l) // (t * l), l + 2)

count = int(sys.argv[1])
start = time.perf_counter()
text = "".join(map(str, itertools.islice(pi_digits(), count)))
counts = [text.count(c) for c in "0123456789"]
seconds = time.perf_counter() - start
sys.stdout.write(text)
sys.stdout.flush()
sys.stderr.write("seconds=%r counts=%s\n" % (seconds, ",".join(map(str, counts))))
