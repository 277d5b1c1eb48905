using System.Globalization;
using System.Numerics;

namespace UsageBatch.Emulator.Chargebee;

/// <summary>
/// An exact sum of usage quantity strings, kept at the largest scale among them (as decimal addition keeps it),
/// so a line's quantity_in_decimal is exactly what the usages add up to, never a rounded binary approximation.
/// </summary>
internal readonly record struct QuantitySum(BigInteger Units, int Scale)
{
    public static QuantitySum Zero { get; } = new(BigInteger.Zero, 0);

    /// <summary>Adds a quantity the create already checked: digits with an optional fraction.</summary>
    public QuantitySum Add(string quantity)
    {
        var dot = quantity.IndexOf('.', StringComparison.Ordinal);
        var scale = dot < 0 ? 0 : quantity.Length - dot - 1;
        var units = BigInteger.Parse(quantity.Replace(".", "", StringComparison.Ordinal), NumberStyles.None, CultureInfo.InvariantCulture);
        var common = Math.Max(scale, Scale);
        return new QuantitySum((Units * BigInteger.Pow(10, common - Scale)) + (units * BigInteger.Pow(10, common - scale)), common);
    }

    /// <summary>The larger of this and <paramref name="quantity"/> (a site aggregating usage by "max usage").</summary>
    public QuantitySum Max(string quantity)
    {
        var other = Zero.Add(quantity);
        var common = Math.Max(other.Scale, Scale);
        var mine = Units * BigInteger.Pow(10, common - Scale);
        var theirs = other.Units * BigInteger.Pow(10, common - other.Scale);
        return mine >= theirs ? new QuantitySum(mine, common) : new QuantitySum(theirs, common);
    }

    /// <summary>The integer quantity when there is no fraction (and it fits), else null.</summary>
    public long? Whole
    {
        get
        {
            var whole = BigInteger.DivRem(Units, BigInteger.Pow(10, Scale), out var fraction);
            return fraction.IsZero && whole >= long.MinValue && whole <= long.MaxValue ? (long)whole : null;
        }
    }

    /// <summary>Quantity times the unit price in cents, rounded half away from zero (inferred: the provider's API docs are silent).</summary>
    public long Amount(long unitAmount)
    {
        var product = Units * unitAmount;
        var divisor = BigInteger.Pow(10, Scale);
        var cents = BigInteger.DivRem(product, divisor, out var remainder);
        if (BigInteger.Abs(remainder) * 2 >= divisor)
        {
            cents += product.Sign;
        }

        return (long)cents;
    }

    public override string ToString()
    {
        var digits = BigInteger.Abs(Units).ToString(CultureInfo.InvariantCulture).PadLeft(Scale + 1, '0');
        var text = Scale == 0 ? digits : digits[..^Scale] + "." + digits[^Scale..];
        return Units.Sign < 0 ? "-" + text : text;
    }
}
