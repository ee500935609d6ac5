using FakeHubSpot;

using Xunit;

namespace HubSpotChallenge.Tests;

/// <summary>Odd but real input: .env read as python-dotenv reads it, names and URLs checked, nothing echoed raw.</summary>
public sealed class InputTests
{
    public static TheoryData<string, string> DotEnvFirstNames => new()
    {
        { "FIRSTNAME=Ke$ha\n", "Ke$ha" },
        { "FIRSTNAME=\"Ke$ha\"\n", "Ke$ha" },
        { "FIRSTNAME='Ke$ha'\n", "Ke$ha" },
        { "FIRSTNAME=\"$HOME\"\n", "$HOME" },
        { "FIRSTNAME=\"${GIVEN_NAME}\"\n", "Grace" },
        { "FIRSTNAME=${GIVEN_NAME} # from the environment\n", "Grace" },
        { "FIRSTNAME='${GIVEN_NAME}'\n", "${GIVEN_NAME}" },
        { "FIRSTNAME=First\nFIRSTNAME=Last wins\n", "Last wins" },
        { "FIRSTNAME=\"Ann\\\\$1\"\r\n", "Ann\\$1" },
        { "FIRSTNAME=Ke$ha#1 # a comment\n", "Ke$ha#1" },
    };

    [Theory]
    [MemberData(nameof(DotEnvFirstNames))]
    public async Task DotEnvKeepsDollarsLiteralExpandsBracesAndTakesTheLastDuplicate(string dotEnv, string firstName)
    {
        await using var scenario = await Scenario.StartAsync();
        scenario.Environment["FIRSTNAME"] = null;
        scenario.Environment["GIVEN_NAME"] = "Grace";
        scenario.WriteDotEnv(dotEnv);

        (await scenario.RunAsync()).ShouldExitWith(0);

        Assert.Equal(firstName, Assert.Single(scenario.HubSpot.Contacts)["firstname"]);
    }

    [Fact]
    public async Task ADollarNameNeverPullsInTheToken()
    {
        await using var scenario = await Scenario.StartAsync();
        scenario.Environment["LASTNAME"] = null;
        scenario.WriteDotEnv("LASTNAME=\"Mc$HUBSPOT_KEY\"\n");

        var run = (await scenario.RunAsync()).ShouldExitWith(0);

        var contact = Assert.Single(scenario.HubSpot.Contacts);
        Assert.Equal("Mc$HUBSPOT_KEY", contact["lastname"]);
        Assert.DoesNotContain(scenario.HubSpot.Token, contact["lastname"], StringComparison.Ordinal);
        Assert.Contains("Ada Mc$HUBSPOT_KEY", run.Stdout, StringComparison.Ordinal);
    }

    [Fact]
    public async Task ATokenPulledInThroughBracesIsRefused()
    {
        await using var scenario = await Scenario.StartAsync();
        scenario.Environment["LASTNAME"] = null;
        scenario.WriteDotEnv("LASTNAME=\"Mc${HUBSPOT_KEY}\"\n");

        var run = (await scenario.RunAsync()).ShouldExitWith(2);

        Assert.Contains("LASTNAME contains the token from HUBSPOT_KEY", run.Stderr, StringComparison.Ordinal);
        Assert.Empty(scenario.HubSpot.Requests);
    }

    public static TheoryData<string, string, string> InvisibleCharacters => new()
    {
        { "FIRSTNAME", "A\u001b[31mRED", "U+001B" },
        { "LASTNAME", "Love\nlace", "U+000A" },
        { "FIRSTNAME", "\u200B", "U+200B" },
        { "LASTNAME", "Lovelace\u202E", "U+202E" },
        { "CONTACT_EMAIL", "ada@example.com\u0007", "U+0007" },
    };

    [Theory]
    [MemberData(nameof(InvisibleCharacters))]
    public async Task ControlAndInvisibleCharactersAreAConfigurationErrorNamingTheVariable(string variable, string value, string shown)
    {
        await using var scenario = await Scenario.StartAsync();
        scenario.Environment[variable] = value;

        var run = (await scenario.RunAsync()).ShouldExitWith(2);

        Assert.Contains($"{variable} contains a control or invisible character ({shown})", run.Stderr, StringComparison.Ordinal);
        Assert.DoesNotContain(value, run.Output, StringComparison.Ordinal);
        Assert.DoesNotContain('\u001b', run.Output);
        Assert.Empty(scenario.HubSpot.Requests);
    }

    [Fact]
    public async Task LongNamesGiveAnEmailWhoseLocalPartFitsIn64Characters()
    {
        await using var scenario = await Scenario.StartAsync();
        scenario.Environment["FIRSTNAME"] = new string('a', 150);
        scenario.Environment["LASTNAME"] = new string('b', 150);

        (await scenario.RunAsync()).ShouldExitWith(0);

        var email = Assert.Single(scenario.HubSpot.Contacts)["email"];
        Assert.Equal($"{new string('a', 32)}.{new string('b', 31)}@example.com", email);
    }

    [Fact]
    public async Task ANameOfTenThousandLettersIsRefused()
    {
        await using var scenario = await Scenario.StartAsync();
        scenario.Environment["LASTNAME"] = new string('x', 10_000);

        var run = (await scenario.RunAsync()).ShouldExitWith(2);

        Assert.Contains("LASTNAME is 10000 characters long; at most 200 are accepted.", run.Stderr, StringComparison.Ordinal);
        Assert.True(run.Stderr.Length < 1000, run.ToString());
        Assert.Empty(scenario.HubSpot.Requests);
    }

    [Fact]
    public async Task ABaseUrlPathIsKeptAndRequestsGoBelowIt()
    {
        await using var scenario = await Scenario.StartAsync(pathBase: "/gateway/hubspot");

        var run = (await scenario.RunAsync()).ShouldExitWith(0);

        Expect.Converged(scenario);
        Assert.All(scenario.HubSpot.Requests, r => Assert.Equal("/gateway/hubspot", r.PathBase));
        Assert.Contains($"to {scenario.HubSpot.BaseUrl.Authority}/gateway/hubspot.", run.Stdout, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("http://user:s3cr3t-passw0rd@127.0.0.1:9")]
    [InlineData("user:s3cr3t-passw0rd@api.hubapi.com")]
    public async Task ABaseUrlWithAPasswordIsRefusedWithoutShowingIt(string baseUrl)
    {
        await using var scenario = await Scenario.StartAsync();
        scenario.Environment["HUBSPOT_BASE_URL"] = baseUrl;

        var run = (await scenario.RunAsync()).ShouldExitWith(2);

        Assert.Contains("HUBSPOT_BASE_URL contains a user name or password", run.Stderr, StringComparison.Ordinal);
        Assert.DoesNotContain("s3cr3t", run.Output, StringComparison.Ordinal);
    }

    [Fact]
    public async Task ADryRunWorksWithTheUnchangedExampleAndNotesThePlaceholder()
    {
        await using var scenario = await Scenario.StartAsync();
        foreach (var name in new[] { "HUBSPOT_KEY", "FIRSTNAME", "LASTNAME", "HUBSPOT_BASE_URL" })
        {
            scenario.Environment[name] = null;
        }

        File.Copy(Path.Combine(Scenario.RepositoryRoot(), ".env.example"), Path.Combine(scenario.Directory, ".env"));

        var run = (await scenario.RunAsync("--dry-run")).ShouldExitWith(0);

        Assert.Contains("Note: HUBSPOT_KEY is still the placeholder from .env.example", run.Stdout, StringComparison.Ordinal);
        Assert.Contains("ada.lovelace@example.com", run.Stdout, StringComparison.Ordinal);
        Assert.Equal("", run.Stderr);
    }

    public static TheoryData<string> DotEnvsThatAreNotRegularFiles => new() { "directory", "fifo", "/dev/zero", "large" };

    [Theory]
    [MemberData(nameof(DotEnvsThatAreNotRegularFiles))]
    public async Task ADotEnvThatIsNotASmallRegularFileIsAConfigurationError(string kind)
    {
        await using var scenario = await Scenario.StartAsync();
        var path = Path.Combine(scenario.Directory, ".env");
        switch (kind)
        {
            case "directory":
                Directory.CreateDirectory(path);
                break;
            case "fifo":
                Posix.CreateFifo(path);
                break;
            case "large":
                scenario.WriteDotEnv(string.Concat(Enumerable.Repeat("# padding padding padding padding padding padding\n", 2000)));
                break;
            default:
                File.CreateSymbolicLink(path, kind);
                break;
        }

        var run = (await scenario.RunAsync()).ShouldExitWith(2);

        Assert.Contains(".env", run.Stderr, StringComparison.Ordinal);
        Assert.Contains(kind == "directory" ? "is a directory" : "64 KB", run.Stderr, StringComparison.Ordinal);
        Assert.Empty(scenario.HubSpot.Requests);
    }

    [Fact]
    public async Task AnEmptyVariableInTheEnvironmentThatHidesDotEnvSaysSo()
    {
        await using var scenario = await Scenario.StartAsync();
        scenario.Environment["FIRSTNAME"] = "";
        scenario.WriteDotEnv("FIRSTNAME=Grace\n");

        var run = (await scenario.RunAsync()).ShouldExitWith(2);

        Assert.Contains("FIRSTNAME is set but empty in the environment, which hides its value in .env", run.Stderr, StringComparison.Ordinal);
        Assert.Empty(scenario.HubSpot.Requests);
    }
}
