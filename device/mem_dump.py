# mem_dump.py - HeapScope's on-device helper (MIT). Prints heap dumps framed as in
# docs/helper-frames.md (protocol 1):
#   @@HS:H <proto> <period_ms> <mode> <collect> <impl>   hello
#   @@HS:B <seq> <ticks_ms> <collect> ... mem_info(1) ... @@HS:E <seq>
#   @@HS:S <seq> <ticks_ms> <collect> <alloc> <free>     (no mem_info: CircuitPython)
#   @@HS:K <seq> <ticks_ms> <label>                      mark
# API: start_timer(period_ms=350, collect=False), start_async(period_ms=350, collect=False),
#      dump(collect=False), mark(label), stop().
# Under HeapScope's launcher (guard(1) ... _end()), a dump is never cut by Ctrl-C: while it
# prints, Ctrl-C is an ordinary byte (kbd_intr(-1)), so a KeyboardInterrupt can neither cut
# mem_info's output nor be swallowed inside a scheduled callback (MicroPython prints such an
# exception and the program goes on). The host sends Ctrl-C again after the dump's end marker.
# Without the guard (a timer started at the friendly REPL) Ctrl-C is left alone: turning it
# back on at a prompt would make the next Ctrl-C a fatal error there.
# In steady state a dump allocates nothing: it prints only constant strings and small ints,
# and the timer callback hands the dump to micropython.schedule through a pre-bound
# reference (a callback may run in hard-IRQ context, where allocating is forbidden).
import gc
import sys
import micropython

try:
    from time import ticks_ms
except ImportError:
    from supervisor import ticks_ms

_info = getattr(micropython, "mem_info", None)  # compiled out of CircuitPython
_sched = getattr(micropython, "schedule", None)
_nop = lambda c: None  # noqa: E731
_kbd = getattr(micropython, "kbd_intr", None) or _nop
_k0 = _nop  # called at a dump's start and end: _kbd while guarded
_seq = 0
_col = False
_said = False  # hello printed
_tim = None
_task = None
_new = None  # asyncio's own new_event_loop, once start_async wrapped it


def _hello(period, mode, collect):
    global _said
    _said = True
    print("@@HS:H", 1, period, mode, 1 if collect else 0, sys.implementation.name)


def dump(collect=False):
    # First and last statements: no bytecode that checks for a pending KeyboardInterrupt runs
    # before Ctrl-C is off or after it is back on.
    _k0(-1)
    _dump(collect)
    _k0(3)


def guard(on):
    global _k0
    _k0 = _kbd if on else _nop


def _end():
    # The launcher's `finally`: Ctrl-C left alone first (the REPL's prompt comes next), then
    # no more dumps.
    global _k0
    _k0 = _nop
    stop()


def _dump(collect):
    global _seq
    if not _said:
        _hello(0, "manual", collect)
    if collect:
        gc.collect()
    s = _seq
    _seq = s + 1
    if _info:
        print("@@HS:B", s, ticks_ms(), 1 if collect else 0)
        _info(1)
        print("@@HS:E", s)
    else:
        print("@@HS:S", s, ticks_ms(), 1 if collect else 0, gc.mem_alloc(), gc.mem_free())


def mark(label):
    global _seq
    if not _said:
        _hello(0, "manual", False)
    # One line, and never \x04 (it would end a raw-REPL exec).
    label = str(label).replace("\x04", "").replace("\r", " ").replace("\n", " ")
    s = _seq
    _seq = s + 1
    print("@@HS:K", s, ticks_ms(), label)


def _run(_):
    dump(_col)


def _irq(_):
    # Timer callback: no allocation here. A full schedule queue skips this tick.
    try:
        _sched(_run_ref, 0)
    except Exception:
        pass


_run_ref = _run  # pre-bound: looking up a global allocates nothing


def start_timer(period_ms=350, collect=False):
    global _col, _tim
    stop()
    from machine import Timer

    if _sched is None:
        raise OSError("no micropython.schedule: use start_async() or dump()")
    _col = collect
    _hello(period_ms, "timer", collect)
    dump(collect)
    # esp8266 and esp32 (up to 1.28) refuse Timer() without an id. -1 is the virtual (soft)
    # timer on esp8266, rp2 and stm32; esp32 has none and takes hardware timer 0.
    for i in (-1, 0):
        try:
            _tim = Timer(i, period=period_ms, mode=Timer.PERIODIC, callback=_irq)
            return _tim
        except (ValueError, TypeError, OSError):
            pass
    raise OSError("no usable machine.Timer")


def start_async(period_ms=350, collect=False):
    # A task in the default event loop: an unchanged asyncio.run(main()) program runs it
    # beside its own tasks. A program that makes a new loop gets the task in that one too.
    global _task, _new
    stop()
    import asyncio

    _hello(period_ms, "async", collect)

    sl = getattr(asyncio, "sleep_ms", None)
    pause = period_ms if sl else period_ms / 1000
    sl = sl or asyncio.sleep

    async def loop():
        while True:
            dump(collect)
            await sl(pause)

    if _new is None:
        _new = asyncio.new_event_loop

        def new_event_loop():
            global _task
            lp = _new()
            if _task:
                _task = asyncio.create_task(loop())
            return lp

        asyncio.new_event_loop = new_event_loop
    _task = asyncio.create_task(loop())
    return _task


def stop():
    global _tim, _task
    if _tim:
        _tim.deinit()
        _tim = None
    if _task:
        _task.cancel()
        _task = None
