namespace UsageBatch.Billing;

/// <summary>The process exit codes.</summary>
internal static class ExitCodes
{
    public const int Ok = 0;
    public const int Attention = 1;
    public const int BadConfiguration = 2;
    public const int Aborted = 3;
    public const int AlreadyRunning = 4;
}
