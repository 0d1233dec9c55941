# steady.py - HeapScope demo: a busy program whose heap churns but does not grow.
#
# Run it as the board's main.py. It does not start HeapScope's helper: the host's launcher
# runs `import mem_dump; mem_dump.start_timer(...)` first. By hand, at the REPL:
#   import mem_dump; mem_dump.start_timer(); import main
#
# Expect: a saw-tooth of garbage between collections, and the same live data after every
# gc.collect() (dumps taken with collect=True look alike).
import gc
import time

SLOTS = 24
ring = [None] * SLOTS  # fixed number of records, each replaced in turn
step = 0
while True:
    for i in range(6):
        k = (step * 6 + i) % SLOTS
        ring[k] = {"id": step, "name": "sample-%d" % k, "data": bytearray(48 + (k % 4) * 32)}
    # Temporary garbage: strings and lists that die at once.
    text = ",".join([str(x * step) for x in range(16)])
    held = 0
    for r in ring:
        if r:
            held += len(r["data"])
    step += 1
    if step % 20 == 0:
        print("steady: step %d, %d records, %d B of data held, %d B free, %d chars made"
              % (step, SLOTS, held, gc.mem_free(), len(text)))
    time.sleep_ms(40)
