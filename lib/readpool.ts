// Small reads arrive as views of a shared pool ArrayBuffer (native/readpool.h);
// this module makes the pools and the views.
import { markAsUntransferable } from 'worker_threads';
import { binding } from './binding';

// Node's Buffer subclass (Buffer[Symbol.species]): `new PoolView(ab, offset,
// length)` makes a real Buffer view at the cost of a plain Uint8Array, far
// cheaper than Buffer.from(ab, offset, length) or Reflect.construct.
export const PoolView = (Buffer as unknown as { [Symbol.species]: new (ab: ArrayBuffer, offset: number, length: number) => Buffer })[
  Symbol.species
];

binding.setCallbacks({
  // Not zero-filled (every byte a view shows is written first), like Node's
  // own pool, and like it untransferable: moving it to another thread would
  // take the memory that later reads are copied into.
  newReadPool(size: number): ArrayBuffer {
    const ab = Buffer.allocUnsafeSlow(size).buffer as ArrayBuffer;
    markAsUntransferable(ab);
    return ab;
  },
});
