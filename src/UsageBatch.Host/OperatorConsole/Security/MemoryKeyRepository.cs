using System.Xml.Linq;
using Microsoft.AspNetCore.DataProtection.Repositories;

namespace UsageBatch.OperatorConsole.Security;

/// <summary>
/// Data-protection keys (they sign the anti-forgery tokens) kept in memory only: a token needs to outlive one page
/// view, not a restart, and nothing about the console is written to the service account's home folder.
/// </summary>
internal sealed class MemoryKeyRepository : IXmlRepository
{
    private readonly List<XElement> _elements = [];
    private readonly Lock _gate = new();

    public IReadOnlyCollection<XElement> GetAllElements()
    {
        lock (_gate)
        {
            return _elements.Select(e => new XElement(e)).ToList();
        }
    }

    public void StoreElement(XElement element, string friendlyName)
    {
        lock (_gate)
        {
            _elements.Add(new XElement(element));
        }
    }
}
