# leak.py - HeapScope demo: a history list that is never trimmed, so the heap grows slowly
# until the board runs out of memory (MemoryError after a few minutes on a 190 KB heap).
#
# Run it as the board's main.py. It does not start HeapScope's helper: the host's launcher
# runs `import mem_dump; mem_dump.start_timer(...)` first. By hand, at the REPL:
#   import mem_dump; mem_dump.start_timer(); import main
#
# Expect: live data (dumps with collect=True) rising step by step, made of small dicts and
# strings; garbage from the normal work comes and goes on top.
import gc
import time

history = []  # the leak: every reading is kept "for later" and never dropped
gc.collect()
base = gc.mem_alloc()
n = 0
while True:
    reading = {"t": time.ticks_ms(), "value": (n * 37) % 1000, "unit": "mV"}
    reading["label"] = "reading %d = %d %s" % (n, reading["value"], reading["unit"])
    history.append(reading)  # leaked, with its label
    line = "%s at %d" % (reading["label"], reading["t"])  # garbage
    n += 1
    if n % 20 == 0:
        gc.collect()
        held = gc.mem_alloc() - base
        print("leak: %d items, %d.%d KB held, %d B free" % (n, held // 1024, held % 1024 * 10 // 1024, gc.mem_free()))
    time.sleep_ms(100)
