namespace UsageBatch;

internal static class Program
{
    public static int Main(string[] args)
    {
        Console.Error.WriteLine("usagebatch: the billing run is not built yet (see README).");
        return args.Length == 0 ? 0 : 2;
    }
}
