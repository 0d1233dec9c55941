# fragment.py - HeapScope demo: fragmentation. It fills the heap with pairs of a buffer and a
# smaller long-lived object allocated just after it, then frees the buffers: two thirds of
# the heap are free again, but in holes no larger than one buffer, and asking for a block
# eight buffers long fails (MemoryError after about 10 s, whatever the heap size).
# Paced for HeapScope's default dump period (500 ms): the heap is seen filling, breaking apart
# over several dumps, and staying broken for a few seconds before the MemoryError.
# (The kept objects are half a buffer: smaller ones would slip into the little holes that
# garbage leaves near the start of the heap, and then buffers would merge into big holes.)
#
# Run it as the board's main.py. It does not start HeapScope's helper: the host's launcher
# runs `import mem_dump; mem_dump.start_timer(...)` first. By hand, at the REPL:
#   import mem_dump; mem_dump.start_timer(); import main
#
# It ends with the MemoryError uncaught, so the firmware prints the traceback:
#   MemoryError: memory allocation failed, allocating N bytes
import gc
import time

gc.collect()
heap = gc.mem_free() + gc.mem_alloc()
BUF = max(256, heap // 160)  # ~110 pairs fill any heap
SMALL = BUF // 2
temps = []  # buffers, freed later
keeps = []  # the small objects between them, kept to the end

# 1. Fill: buffer, small object, buffer, small object... until the heap is full.
step = 0
full = False
while not full:
    try:
        t = bytearray(BUF)
        k = bytearray(SMALL)
    except MemoryError:
        gc.collect()  # a board collects before it gives up: so do we, once
        try:
            t = bytearray(BUF)
            k = bytearray(SMALL)
        except MemoryError:
            full = True
            temps.pop()  # room to print the line below
            keeps.pop()
            gc.collect()
    if not full:
        temps.append(t)
        keeps.append(k)
    t = k = None
    step += 1
    if step % 20 == 0 or full:
        print("fragment: %d pairs of %d + %d B, %d B free" % (len(keeps), BUF, SMALL, gc.mem_free()))
    time.sleep_ms(30)

# 2. Release the buffers, a few at a time: holes appear between the small objects.
for i in range(len(temps)):
    temps[i] = None
    if i % 20 == 19:
        gc.collect()
        print("fragment: %d buffers freed, %d B free" % (i + 1, gc.mem_free()))
        time.sleep_ms(700)
temps = None
gc.collect()  # what fails below is fragmentation, not garbage
print("fragment: %d B free in holes of ~%d B; asking for %d B" % (gc.mem_free(), BUF, 8 * BUF))
time.sleep_ms(2500)  # broken apart: plenty free, no piece large enough

# 3. Too large for any hole: MemoryError: memory allocation failed, allocating N bytes
big = bytearray(8 * BUF)
print("fragment: unexpectedly got %d B" % len(big))
