using System.CommandLine.Parsing;
using System.Globalization;

namespace Dtlto.Build.Distributor;

/// <summary>Parsers of option values that say what is wrong in the user's words, not in .NET's type names.</summary>
internal static class OptionValues
{
    public static int? WholeNumber(ArgumentResult result)
    {
        string token = Token(result);
        if (int.TryParse(token, NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out int value))
            return value;
        result.AddError($"{OptionName(result)}: '{token}' is not a whole number");
        return null;
    }

    public static double? Seconds(ArgumentResult result)
    {
        string token = Token(result);
        if (double.TryParse(token, NumberStyles.Float, CultureInfo.InvariantCulture, out double value) && !double.IsNaN(value))
            return value;
        result.AddError($"{OptionName(result)}: '{token}' is not a number of seconds");
        return null;
    }

    private static string Token(ArgumentResult result) => result.Tokens.Count > 0 ? result.Tokens[result.Tokens.Count - 1].Value : "";

    private static string OptionName(ArgumentResult result) => result.Parent is OptionResult option ? option.Option.Name : "the value";
}
