extension BufferedArray {
    /// Where the window should be to hold `start..<stop`, or `nil` when it stays.
    func placement(start: Int, stop: Int) -> Range<Int>? {
        let requested = stop - start
        guard requested > 0 else { return nil }
        if start >= offset, stop <= offset + count {
            // Inside: stay, unless following and the request drifted. A
            // following window keeps its size (not stretched to an end), so
            // its moves stay small.
            guard follow > 0, requested < bufferFrames else { return nil }
            let back = backFrames(for: requested, window: bufferFrames)
            guard abs(start - offset - back) >= follow else { return nil }
            let moved = fitted(offset: start - back, size: bufferFrames, covering: start..<stop, stretch: false)
            return moved == window ? nil : moved
        }
        if requested >= bufferFrames { return start..<stop }
        let back = backFrames(for: requested, window: bufferFrames)
        return fitted(offset: start - back, size: bufferFrames, covering: start..<stop, stretch: true)
    }

    /// `backFrames`, reduced so the request fits after them with as many frames ahead.
    func backFrames(for requested: Int, window: Int) -> Int {
        window - requested < 2 * backFrames ? (window - requested) / 2 : backFrames
    }

    /// A window of `size` frames from `offset`, pushed inside the series, and
    /// (when `stretch`) stretched to an end of the series less than half a
    /// buffer away, so no small load follows there.
    func fitted(offset proposed: Int, size: Int, covering request: Range<Int>, stretch: Bool) -> Range<Int> {
        var first = Swift.max(0, Swift.min(proposed, frames - size))
        var last = Swift.min(frames, first + size)
        if !stretch {
        } else if frames - last < bufferFrames / 2 {
            last = frames
        } else if first < bufferFrames / 2 {
            first = 0
        }
        assert(first <= request.lowerBound && request.upperBound <= last, "window \(first)..<\(last) misses \(request)")
        return first..<last
    }

    /// Moves the window to `target`: the frames both windows share are moved
    /// inside the storage, the rest (up to two pieces) are loaded.
    func move(to target: Range<Int>) throws(AudioFileError) {
        let shared = window.clamped(to: target)
        reserve(target.count, keeping: shared)
        let old = window
        if !shared.isEmpty, shared.lowerBound - old.lowerBound != shared.lowerBound - target.lowerBound {
            let stride = MemoryLayout<Source.Element>.stride * valuesPerFrame
            let base = UnsafeMutableRawPointer(storage.baseAddress!)
            // copyMemory is a memmove: the two places may overlap.
            (base + (shared.lowerBound - target.lowerBound) * stride).copyMemory(
                from: base + (shared.lowerBound - old.lowerBound) * stride, byteCount: shared.count * stride)
        }
        offset = target.lowerBound
        count = target.count
        let before = totalLoadedFrames
        if shared.isEmpty {
            try load(target, at: 0)
        } else {
            try load(target.lowerBound..<shared.lowerBound, at: 0)
            try load(shared.upperBound..<target.upperBound, at: shared.upperBound - target.lowerBound)
        }
        lastLoadedFrames = totalLoadedFrames - before
    }

    /// Makes the storage hold at least `frames` frames, keeping the frames
    /// `shared` (of the current window) where ``move(to:)`` expects them.
    func reserve(_ wanted: Int, keeping shared: Range<Int>) {
        guard wanted > capacityFrames else { return }
        let capacity = Swift.max(wanted, bufferFrames + bufferFrames / 2 + 1)
        let grown = UnsafeMutableBufferPointer<Source.Element>.allocate(capacity: capacity * valuesPerFrame)
        if !shared.isEmpty {
            let from = (shared.lowerBound - offset) * valuesPerFrame
            _ = grown.initialize(fromContentsOf: storage[from..<(from + shared.count * valuesPerFrame)])
            // The shared frames now sit at the start of the new storage.
            offset = shared.lowerBound
            count = shared.count
        }
        storage.deallocate()
        storage = grown
        capacityFrames = capacity
    }
}
