// The JavaScript side of the data path that streams and UDP share
// (native/datapath.h): the queue of request callbacks, and the entry point of
// a failed request that had none.
import { binding } from './binding';
import type { UVError } from './errors';
import type { Handle } from './handle';

/**
 * A first-in first-out queue on one array with a moving head: shift() is
 * O(1) and allocates nothing, and the array is reused once it empties. For
 * the callbacks of a handle's pending writes or sends: libuv completes them
 * in the order they were made.
 */
export class FIFO<T> {
  private _items: (T | undefined)[] = [];
  private _head = 0;

  push(item: T): void {
    this._items.push(item);
  }

  /** The oldest item; the queue must not be empty. */
  shift(): T {
    const q = this._items;
    const item = q[this._head] as T;
    q[this._head++] = undefined;
    if (this._head === q.length) {
      q.length = 0;
      this._head = 0;
    }
    return item;
  }
}

binding.setCallbacks({
  // A write or send without a callback failed: its error goes where a
  // callback's exception would (excepthook, or run() throws it).
  onUnclaimed(this: Handle, err: UVError) {
    throw this._unclaimed(err);
  },
});
