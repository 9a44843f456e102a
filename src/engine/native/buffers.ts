// Recycles the Float32Arrays of disposed tensors. A fresh multi-MB Float32Array costs page
// faults and zeroing, measured at 4x the multiply that fills it; training allocates the same
// sizes every step, so a disposed tensor's array is handed to the next kernel of that size.
//
// Only arrays this pool handed out are recycled, and only while nothing else can see them: an
// array read out (dataSync/data) or shared by a cpu kernel's output (tfjs slices return
// subarray views) is disowned for good and left to the garbage collector.

/** Arrays below this length are cheap to allocate: not worth keeping for reuse (still tracked as owned). */
const MIN_LENGTH = 4096;

export class BufferPool {
  private readonly free = new Map<number, Float32Array[]>();
  private readonly owned = new WeakSet<Float32Array>();
  private idleBytes = 0;

  constructor(private readonly maxIdleBytes: number) {}

  /** An array of `n` floats with arbitrary contents: the caller overwrites every element. */
  take(n: number): Float32Array {
    if (n < MIN_LENGTH) {
      // Tracked although never recycled: the optimiser updates a bias in place only if it is owned.
      const small = new Float32Array(n);
      this.owned.add(small);
      return small;
    }
    const list = this.free.get(n);
    const reused = list?.pop();
    if (reused) {
      this.idleBytes -= reused.byteLength;
      this.owned.add(reused);
      return reused;
    }
    const fresh = new Float32Array(n);
    this.owned.add(fresh);
    return fresh;
  }

  /** The tensor holding `values` was deleted: keep the array for reuse if it is ours alone. */
  give(values: unknown): void {
    if (!(values instanceof Float32Array) || !this.owned.has(values)) return;
    this.owned.delete(values);
    if (values.length < MIN_LENGTH || this.idleBytes + values.byteLength > this.maxIdleBytes) return;
    let list = this.free.get(values.length);
    if (!list) this.free.set(values.length, (list = []));
    list.push(values);
    this.idleBytes += values.byteLength;
  }

  /** Whether `values` is a pool array nobody outside the backend has seen (so it may be updated in place). */
  owns(values: unknown): boolean {
    return values instanceof Float32Array && this.owned.has(values);
  }

  /** Someone else may hold `values` now: never recycle it. */
  disown(values: unknown): void {
    if (values instanceof Float32Array) this.owned.delete(values);
  }

  /** Drops every idle array (e.g. between experiments). */
  clear(): void {
    this.free.clear();
    this.idleBytes = 0;
  }
}
