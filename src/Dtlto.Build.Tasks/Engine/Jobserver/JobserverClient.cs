using System;
using System.IO;
using System.Runtime.InteropServices;
using System.Threading;

namespace Dtlto.Build.Engine.Jobserver;

/// <summary>
/// Takes and gives back GNU make jobserver tokens (one byte each, read from and written back to
/// the jobserver's pipe or fifo). The pipe's descriptors are reopened through /proc/self/fd, so
/// that this process can wait for a token without blocking and stop waiting when the link is
/// cancelled, without changing the mode of the descriptors make and its other jobs share.
/// </summary>
public sealed class JobserverClient : IDisposable
{
    private readonly int _read;
    private readonly int _write;

    private JobserverClient(int read, int write, JobserverAuth auth)
    {
        _read = read;
        _write = write;
        Auth = auth;
    }

    public JobserverAuth Auth { get; }

    /// <summary>Opens the jobserver; throws <see cref="IOException"/> saying why it cannot be used.</summary>
    public static JobserverClient Open(JobserverAuth auth)
    {
        if (!RuntimeInformation.IsOSPlatform(OSPlatform.Linux))
            throw new IOException("the jobserver is used on Linux only");
        if (auth.Fifo is string fifo)
        {
            int both = Native.open(fifo, Native.O_RDWR | Native.O_NONBLOCK | Native.O_CLOEXEC);
            if (both < 0)
                throw new IOException($"cannot open the jobserver's fifo {fifo} ({Native.Error()})");
            return new JobserverClient(both, both, auth);
        }

        // make closes the jobserver's descriptors for recipes it does not pass it to, and the runtime
        // may then have reused their numbers for pipes of its own. Those it opens close-on-exec;
        // the jobserver's are inherited, and are the two ends of one pipe.
        string? readPipe = InheritedPipe(auth.ReadFd);
        string? writePipe = InheritedPipe(auth.WriteFd);
        if (readPipe is null || writePipe is null || readPipe != writePipe)
            throw new IOException($"file descriptors {auth.ReadFd} and {auth.WriteFd} are not the jobserver's pipe in this process (make passes the jobserver only to recipes marked with '+' or that run $(MAKE))");

        int read = Native.open($"/proc/self/fd/{auth.ReadFd}", Native.O_RDONLY | Native.O_NONBLOCK | Native.O_CLOEXEC);
        if (read < 0)
            throw new IOException($"cannot reopen the jobserver's descriptor {auth.ReadFd} ({Native.Error()})");
        int write = Native.open($"/proc/self/fd/{auth.WriteFd}", Native.O_WRONLY | Native.O_CLOEXEC);
        if (write < 0)
        {
            Native.close(read);
            throw new IOException($"cannot reopen the jobserver's descriptor {auth.WriteFd} ({Native.Error()})");
        }

        return new JobserverClient(read, write, auth);
    }

    /// <summary>The pipe an inherited (not close-on-exec) descriptor is an end of, as /proc names it; null for anything else.</summary>
    private static string? InheritedPipe(int fd)
    {
        int flags = Native.fcntl(fd, Native.F_GETFD);
        if (flags < 0 || (flags & Native.FD_CLOEXEC) != 0)
            return null;
        var target = new byte[256];
        long length = Native.readlink($"/proc/self/fd/{fd}", target, target.Length);
        string name = length > 0 ? System.Text.Encoding.UTF8.GetString(target, 0, (int)length) : "";
        return name.StartsWith("pipe:", StringComparison.Ordinal) ? name : null;
    }

    /// <summary>Waits for a token and takes it; throws <see cref="OperationCanceledException"/> when cancelled first, <see cref="IOException"/> when the jobserver is gone.</summary>
    public byte Acquire(CancellationToken cancellationToken)
    {
        var buffer = new byte[1];
        while (true)
        {
            cancellationToken.ThrowIfCancellationRequested();
            var poll = new Native.PollFd { fd = _read, events = Native.POLLIN };
            Native.poll(ref poll, 1, 100);
            long got = Native.read(_read, buffer, 1);
            if (got == 1)
                return buffer[0];
            if (got == 0)
                throw new IOException("the jobserver closed its pipe (make ended)");
            int error = Marshal.GetLastWin32Error();
            if (error != Native.EAGAIN && error != Native.EINTR)
                throw new IOException($"cannot read a jobserver token ({Native.Error(error)})");
        }
    }

    /// <summary>Gives a token back; make counts on every token coming back, whatever became of the job.</summary>
    public void Release(byte token)
    {
        var buffer = new[] { token };
        while (Native.write(_write, buffer, 1) != 1)
        {
            int error = Marshal.GetLastWin32Error();
            if (error != Native.EAGAIN && error != Native.EINTR)
                throw new IOException($"cannot give a jobserver token back ({Native.Error(error)})");
            Thread.Sleep(1);
        }
    }

    public void Dispose()
    {
        Native.close(_read);
        if (_write != _read)
            Native.close(_write);
    }

    private static class Native
    {
        public const int O_RDONLY = 0;
        public const int O_WRONLY = 1;
        public const int O_RDWR = 2;
        public const int O_NONBLOCK = 0x800;
        public const int O_CLOEXEC = 0x80000;
        public const int F_GETFD = 1;
        public const int FD_CLOEXEC = 1;
        public const short POLLIN = 1;
        public const int EINTR = 4;
        public const int EAGAIN = 11;

        [StructLayout(LayoutKind.Sequential)]
        public struct PollFd
        {
            public int fd;
            public short events;
            public short revents;
        }

        [DllImport("libc", SetLastError = true)]
        public static extern int open([MarshalAs(UnmanagedType.LPUTF8Str)] string path, int flags);

        [DllImport("libc", SetLastError = true)]
        public static extern int close(int fd);

        [DllImport("libc", SetLastError = true)]
        public static extern int fcntl(int fd, int command);

        [DllImport("libc", SetLastError = true)]
        public static extern long read(int fd, byte[] buffer, long count);

        [DllImport("libc", SetLastError = true)]
        public static extern long write(int fd, byte[] buffer, long count);

        [DllImport("libc", SetLastError = true)]
        public static extern long readlink([MarshalAs(UnmanagedType.LPUTF8Str)] string path, byte[] buffer, long size);

        [DllImport("libc", SetLastError = true)]
        public static extern int poll(ref PollFd fds, ulong count, int timeout);

        public static string Error() => Error(Marshal.GetLastWin32Error());

        public static string Error(int errno) => new System.ComponentModel.Win32Exception(errno).Message;
    }
}
