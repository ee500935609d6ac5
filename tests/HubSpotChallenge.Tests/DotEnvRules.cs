using Xunit;

namespace HubSpotChallenge.Tests;

/// <summary>.env as python-dotenv reads it, and the one problem a file that cannot be read gives.</summary>
public sealed class DotEnvRules
{
    // A variable of this test process's own, for ${...}; no other test sets it.
    const string Given = "HUBSPOT_CHALLENGE_TEST_GIVEN_NAME";

    public static TheoryData<string, string, string> Values => new()
    {
        { "FIRSTNAME=Ke$ha\n", "FIRSTNAME", "Ke$ha" },
        { "FIRSTNAME=\"Ke$ha\"\n", "FIRSTNAME", "Ke$ha" },
        { "FIRSTNAME='Ke$ha'\n", "FIRSTNAME", "Ke$ha" },
        { "FIRSTNAME=\"$HOME\"\n", "FIRSTNAME", "$HOME" },
        { "LASTNAME=\"Mc$HUBSPOT_KEY\"\nFIRSTNAME=Ada\n", "LASTNAME", "Mc$HUBSPOT_KEY" },
        { $"FIRSTNAME=\"${{{Given}}}\"\n", "FIRSTNAME", "Grace" },
        { $"FIRSTNAME=${{{Given}}} # from the environment\n", "FIRSTNAME", "Grace" },
        { $"FIRSTNAME='${{{Given}}}'\n", "FIRSTNAME", $"${{{Given}}}" },
        { "FIRSTNAME=First\nFIRSTNAME=Last wins\n", "FIRSTNAME", "Last wins" },
        { "FIRSTNAME=\"Ann\\\\$1\"\r\n", "FIRSTNAME", "Ann\\$1" },
        { "FIRSTNAME=Ke$ha#1 # a comment\n", "FIRSTNAME", "Ke$ha#1" },
        { "# FIRSTNAME=$commented\nexport FIRSTNAME=Exported\n", "FIRSTNAME", "Exported" },
        { "FIRSTNAME=\"two\nlines $x\"\n", "FIRSTNAME", "two\nlines $x" },
    };

    [Theory]
    [MemberData(nameof(Values))]
    public void DollarsAreLiteralBracesExpandAndTheLastDuplicateWins(string text, string name, string value)
    {
        Environment.SetEnvironmentVariable(Given, "Grace");

        var values = DotEnvFile.Parse(text);

        Assert.Equal(value, values[name]);
    }

    public static TheoryData<string, string> UnreadableFiles => new()
    {
        { "directory", "Access to the path" },
        { "link to a missing file", "Could not find file" },
        { "socket", "No such device or address" },
    };

    [Theory]
    [MemberData(nameof(UnreadableFiles))]
    public async Task ADotEnvThatCannotBeReadIsOneProblemNamingItsPath(string kind, string reason)
    {
        if (kind != "directory")
        {
            Posix.Require("a symbolic link made without privileges, and a Unix socket");
        }

        var directory = Directory.CreateTempSubdirectory("hubspot-challenge-dotenv-").FullName;
        var path = Path.Combine(directory, ".env");
        using var socket = kind == "socket" ? new System.Net.Sockets.Socket(System.Net.Sockets.AddressFamily.Unix, System.Net.Sockets.SocketType.Stream, System.Net.Sockets.ProtocolType.Unspecified) : null;
        try
        {
            switch (kind)
            {
                case "directory":
                    Directory.CreateDirectory(path);
                    break;
                case "socket":
                    socket!.Bind(new System.Net.Sockets.UnixDomainSocketEndPoint(path));
                    break;
                default:
                    File.CreateSymbolicLink(path, Path.Combine(directory, "missing"));
                    break;
            }

            var dotEnv = await DotEnvFile.ReadAsync(path, _ => null, TestContext.Current.CancellationToken);

            Assert.Empty(dotEnv.Values);
            var problem = Assert.Single(dotEnv.Problems);
            Assert.StartsWith($"{path} could not be read (", problem, StringComparison.Ordinal);
            Assert.Contains(reason, problem, StringComparison.Ordinal);
        }
        finally
        {
            Directory.Delete(directory, recursive: true);
        }
    }

    [Fact]
    public async Task NoDotEnvIsNoProblem()
    {
        var path = Path.Combine(Directory.CreateTempSubdirectory("hubspot-challenge-dotenv-").FullName, ".env");
        var dotEnv = await DotEnvFile.ReadAsync(path, _ => null, TestContext.Current.CancellationToken);

        Assert.Empty(dotEnv.Values);
        Assert.Empty(dotEnv.Problems);
    }

    [Fact]
    public async Task AParseErrorGivesThePositionButNotTheText()
    {
        var path = Path.Combine(Directory.CreateTempSubdirectory("hubspot-challenge-dotenv-").FullName, ".env");
        File.WriteAllText(path, "HUBSPOT_KEY=pat-na1-secret-should-not-print\nLASTNAME=O'Brien\n");

        var problem = Assert.Single((await DotEnvFile.ReadAsync(path, _ => null, TestContext.Current.CancellationToken)).Problems);

        Assert.StartsWith($"{path} could not be parsed at line 2, so none of its values were read: close every quote, and put a value with an apostrophe", problem, StringComparison.Ordinal);
        Assert.DoesNotContain("secret", problem, StringComparison.Ordinal);
        Directory.Delete(Path.GetDirectoryName(path)!, recursive: true);
    }
}
