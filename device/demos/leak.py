# leak.py - HeapScope demo: a leak. Every reading is kept "for later" in a history list that is
# never trimmed, so used memory grows and never comes back, until a MemoryError (about 25 s,
# whatever the heap size).
#
# Run it as the board's main.py. It does not start HeapScope's helper: the host's launcher
# runs `import mem_dump; mem_dump.start_timer(...)` first. By hand, at the REPL:
#   import mem_dump; mem_dump.start_timer(); import main
#
# Expect: used memory rising step by step, made of bytearrays (each reading's raw samples),
# small dicts and strings; garbage from the normal work comes and goes on top. Its log says
# how fast the heap grows.
import gc
import time

gc.collect()
heap = gc.mem_free() + gc.mem_alloc()
RAW = max(256, heap // 100)  # each reading keeps its raw samples: ~100 readings fill any heap
history = []  # the leak: every reading is kept "for later" and never dropped
base = gc.mem_alloc()
t0 = time.ticks_ms()
n = 0
while True:
    if gc.mem_free() < 2 * RAW:
        # Nearly full: the hourly report wants two readings' samples at once. It ends here
        # with room left, so the MemoryError can say how much was asked.
        history.append(bytearray(2 * RAW))
    reading = {"t": time.ticks_ms(), "value": (n * 37) % 1000, "unit": "mV", "raw": bytearray(RAW)}
    reading["label"] = "reading %d = %d %s" % (n, reading["value"], reading["unit"])
    history.append(reading)  # leaked, with its samples and label
    line = "%s at %d" % (reading["label"], reading["t"])  # garbage
    n += 1
    if n % 8 == 0:
        gc.collect()
        held = gc.mem_alloc() - base
        ms = max(1, time.ticks_diff(time.ticks_ms(), t0))
        print("leak: %d readings kept, used grows %d KiB/min and never comes back (%d KiB held, %d B free)" % (n, held * 60000 // ms // 1024, held // 1024, gc.mem_free()))
    time.sleep_ms(250)
