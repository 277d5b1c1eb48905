using Xunit.Abstractions;
using Xunit.Sdk;

namespace UsageBatch.Tests.TestSupport;

/// <summary>
/// A store contract test, written once in an abstract base class and run by each database's sealed subclass.
/// In a subclass marked <see cref="RequiresSqlServerAttribute"/> it is skipped (reported as skipped, never passed)
/// when USAGEBATCH_TEST_SQLSERVER is not set. (An attribute on a base-class method cannot know which subclass runs
/// it, so the decision is the discoverer's, which sees the concrete class.)
/// </summary>
[XunitTestCaseDiscoverer("UsageBatch.Tests.TestSupport.StoreFactDiscoverer", "UsageBatch.Tests")]
[AttributeUsage(AttributeTargets.Method, AllowMultiple = false)]
public sealed class StoreFactAttribute : FactAttribute;

/// <summary>Marks a contract-test subclass that runs against SQL Server.</summary>
[AttributeUsage(AttributeTargets.Class, AllowMultiple = false)]
public sealed class RequiresSqlServerAttribute : Attribute;

public sealed class StoreFactDiscoverer(IMessageSink diagnosticMessageSink) : FactDiscoverer(diagnosticMessageSink)
{
    protected override IXunitTestCase CreateTestCase(ITestFrameworkDiscoveryOptions discoveryOptions, ITestMethod testMethod, IAttributeInfo factAttribute)
    {
        var needsServer = testMethod.TestClass.Class.GetCustomAttributes(typeof(RequiresSqlServerAttribute)).Any();
        return needsServer && SqlServerTestSettings.ConnectionString is null
            ? new XunitSkippedDataRowTestCase(DiagnosticMessageSink, discoveryOptions.MethodDisplayOrDefault(),
                discoveryOptions.MethodDisplayOptionsOrDefault(), testMethod, SqlServerTestSettings.SkipReason)
            : base.CreateTestCase(discoveryOptions, testMethod, factAttribute);
    }
}
