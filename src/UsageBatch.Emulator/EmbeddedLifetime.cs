using Microsoft.Extensions.Hosting;

namespace UsageBatch.Emulator;

/// <summary>A host lifetime that ignores process signals; whoever owns the process decides when to stop.</summary>
internal sealed class EmbeddedLifetime : IHostLifetime
{
    public Task WaitForStartAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;
}
