/// Buffers: ring buffers and block access for audio data.
public enum BuffersModule {}
