# asyncio demo for HeapScope: producer/consumer tasks, dumps from an asyncio task.
#
# Run it as the board's main.py (the name of this file is only the demo's name: saved on the
# board as asyncio.py it would shadow the asyncio module). Unlike the other demos it starts
# the helper itself, with mem_dump.start_async(), because a cooperative program is where a
# dump task belongs (and the only way on CircuitPython, which has no machine.Timer). If the
# host's launcher already started the timer, start_async() replaces it.
import gc
import asyncio
import mem_dump

if not hasattr(asyncio, "create_task"):
    raise ImportError("run this demo as main.py: a file named asyncio.py shadows the module")

queue = []
stats = {"made": 0, "used": 0}


async def producer(name, every_ms):
    n = 0
    while True:
        queue.append((name, n, bytearray(32 + n % 64)))
        stats["made"] += 1
        n += 1
        await asyncio.sleep_ms(every_ms)


async def consumer():
    while True:
        while queue:
            name, n, data = queue.pop(0)
            stats["used"] += len(data)
        await asyncio.sleep_ms(120)


async def reporter():
    while True:
        await asyncio.sleep(2)
        print("asyncio: %d made, %d B consumed, %d queued, %d B free"
              % (stats["made"], stats["used"], len(queue), gc.mem_free()))


async def main():
    mem_dump.start_async(350)
    asyncio.create_task(producer("a", 30))
    asyncio.create_task(producer("b", 70))
    asyncio.create_task(consumer())
    await reporter()


asyncio.run(main())
