using System.Text.Json.Nodes;

using FakeHubSpot;

using Xunit;

namespace HubSpotChallenge.Tests;

/// <summary>The port itself: configuration, the three calls, pacing and output.</summary>
public sealed class PortTests
{
    const string ContactsPath = "/crm/objects/2026-09/contacts";
    const string CompaniesPath = "/crm/objects/2026-09/companies";

    [Fact]
    public async Task AFreshPortalGetsTheContactTheCompanyAndTheAssociation()
    {
        await using var scenario = await Scenario.StartAsync();

        var run = (await scenario.RunAsync()).ShouldExitWith(0);

        var hub = scenario.HubSpot;
        var contact = Assert.Single(hub.Contacts);
        Assert.Equal("ada.lovelace@example.com", contact["email"]);
        Assert.Equal("Ada", contact["firstname"]);
        Assert.Equal("Lovelace", contact["lastname"]);
        var company = Assert.Single(hub.Companies);
        Assert.Equal("Coding Challenge Company GmbH", company["name"]);
        Assert.Equal("coding-challenge-company.com", company["domain"]);
        Assert.Equal((contact.Id, company.Id), Assert.Single(hub.Associations));

        var writes = hub.Requests.Where(r => r.Route is Route.CreateContact or Route.CreateCompany or Route.AssociateDefault).ToList();
        Assert.Collection(writes,
            r => Assert.Equal(("POST", ContactsPath), (r.Method, r.Path)),
            r => Assert.Equal(("POST", CompaniesPath), (r.Method, r.Path)),
            r => Assert.Equal(("PUT", $"{ContactsPath}/{contact.Id}/associations/default/companies/{company.Id}"), (r.Method, r.Path)));
        Assert.True(JsonNode.DeepEquals(
            JsonNode.Parse("""{"properties":{"email":"ada.lovelace@example.com","firstname":"Ada","lastname":"Lovelace"},"associations":[]}"""),
            writes[0].Json), writes[0].Body);
        Assert.True(JsonNode.DeepEquals(
            JsonNode.Parse($$"""
                {"properties":{"name":"Coding Challenge Company GmbH","domain":"coding-challenge-company.com"},
                 "associations":[{"to":{"id":"{{contact.Id}}"},"types":[{"associationCategory":"HUBSPOT_DEFINED","associationTypeId":280}]}]}
                """),
            writes[1].Json), writes[1].Body);
        Assert.Equal("", writes[2].Body);
        Assert.Contains(contact.Id, run.Stdout, StringComparison.Ordinal);
        Assert.Contains(company.Id, run.Stdout, StringComparison.Ordinal);
        Assert.Equal("", run.Stderr);
    }

    [Fact]
    public async Task EveryRequestCarriesTheBearerTokenJsonAndAUserAgent()
    {
        await using var scenario = await Scenario.StartAsync();
        scenario.Environment["HUBSPOT_KEY"] = $"  Bearer {scenario.HubSpot.Token}  ";

        (await scenario.RunAsync()).ShouldExitWith(0);

        Assert.NotEmpty(scenario.HubSpot.Requests);
        Assert.All(scenario.HubSpot.Requests, r =>
        {
            Assert.Equal($"Bearer {scenario.HubSpot.Token}", r.Header("Authorization"));
            Assert.Equal("application/json", r.Header("Accept"));
            Assert.StartsWith("HubSpotChallenge/", r.Header("User-Agent"), StringComparison.Ordinal);
            Assert.DoesNotContain(scenario.HubSpot.Token, r.Path + r.Query, StringComparison.Ordinal);
        });
    }

    [Fact]
    public async Task ConsecutiveRequestsArriveAtLeast200MillisecondsApart()
    {
        await using var scenario = await Scenario.StartAsync();

        var run = (await scenario.RunAsync()).ShouldExitWith(0);

        var arrivals = scenario.HubSpot.Requests.Select(r => r.ArrivedAfterStart).ToList();
        Assert.True(arrivals.Count >= 3, run.ToString());
        for (var i = 1; i < arrivals.Count; i++)
        {
            var gap = arrivals[i] - arrivals[i - 1];
            Assert.True(gap >= TimeSpan.FromMilliseconds(195), $"Requests {i} and {i + 1} arrived {gap.TotalMilliseconds:0} ms apart.");
        }
    }

    [Fact]
    public async Task DotEnvInTheWorkingDirectoryIsRead()
    {
        await using var scenario = await Scenario.StartAsync();
        scenario.Environment["FIRSTNAME"] = null;
        scenario.Environment["LASTNAME"] = null;
        scenario.WriteDotEnv("FIRSTNAME=Grace\nLASTNAME=Hopper\n");

        (await scenario.RunAsync()).ShouldExitWith(0);

        var contact = Assert.Single(scenario.HubSpot.Contacts);
        Assert.Equal(("Grace", "Hopper", "grace.hopper@example.com"), (contact["firstname"], contact["lastname"], contact["email"]));
    }

    [Fact]
    public async Task TheEnvironmentWinsOverDotEnv()
    {
        await using var scenario = await Scenario.StartAsync();
        scenario.WriteDotEnv($"HUBSPOT_KEY=pat-from-dotenv-is-wrong\nFIRSTNAME=Grace\nLASTNAME=Hopper\nHUBSPOT_BASE_URL=http://127.0.0.1:9\n");

        (await scenario.RunAsync()).ShouldExitWith(0);

        var contact = Assert.Single(scenario.HubSpot.Contacts);
        Assert.Equal(("Ada", "Lovelace"), (contact["firstname"], contact["lastname"]));
    }

    [Fact]
    public async Task NoDotEnvIsFineWhenTheEnvironmentHasEverything()
    {
        await using var scenario = await Scenario.StartAsync();

        (await scenario.RunAsync()).ShouldExitWith(0);

        Assert.False(File.Exists(Path.Combine(scenario.Directory, ".env")));
        Assert.Single(scenario.HubSpot.Contacts);
    }

    public static TheoryData<string, string?, string> ConfigurationErrors => new()
    {
        { "HUBSPOT_KEY", null, "HUBSPOT_KEY is not set" },
        { "HUBSPOT_KEY", "   ", "HUBSPOT_KEY is not set" },
        { "HUBSPOT_KEY", "pat-xxxxxxxxxxxxxxxxxxxxxxxxxxxx", "HUBSPOT_KEY is still the placeholder" },
        { "HUBSPOT_KEY", "two words", "HUBSPOT_KEY contains spaces" },
        { "FIRSTNAME", null, "FIRSTNAME is not set" },
        { "FIRSTNAME", " ", "FIRSTNAME is not set" },
        { "LASTNAME", null, "LASTNAME is not set" },
        { "HUBSPOT_BASE_URL", "api.hubapi.com", "HUBSPOT_BASE_URL 'api.hubapi.com' is not an absolute http(s) URL" },
        { "HUBSPOT_BASE_URL", "ftp://api.hubapi.com", "is not an absolute http(s) URL" },
        { "HUBSPOT_BASE_URL", "http://api.hubapi.com", "clear text" },
        { "CONTACT_EMAIL", "not-an-email", "CONTACT_EMAIL 'not-an-email' is not an email address" },
        { "CONTACT_EMAIL", "Ada <ada@example.com>", "is not an email address" },
        { "CONTACT_EMAIL", "ada@coding-challenge-company.com", "CONTACT_EMAIL must not use coding-challenge-company.com" },
        { "HUBSPOT_TIMEOUT_SECONDS", "0", "HUBSPOT_TIMEOUT_SECONDS '0' is not a whole number of seconds from 1 to 300" },
        { "HUBSPOT_TIMEOUT_SECONDS", "ten", "HUBSPOT_TIMEOUT_SECONDS 'ten'" },
    };

    [Theory]
    [MemberData(nameof(ConfigurationErrors))]
    public async Task AConfigurationErrorExitsWith2NamesTheVariableAndSendsNothing(string variable, string? value, string message)
    {
        await using var scenario = await Scenario.StartAsync();
        scenario.Environment[variable] = value;

        var run = (await scenario.RunAsync()).ShouldExitWith(2);

        Assert.Contains(message, run.Stderr, StringComparison.Ordinal);
        Assert.Equal("", run.Stdout);
        Assert.Empty(scenario.HubSpot.Requests);
    }

    [Fact]
    public async Task EveryConfigurationProblemIsReportedAtOnce()
    {
        await using var scenario = await Scenario.StartAsync();
        scenario.Environment["HUBSPOT_KEY"] = null;
        scenario.Environment["FIRSTNAME"] = null;
        scenario.Environment["LASTNAME"] = "";
        scenario.Environment["HUBSPOT_BASE_URL"] = "nowhere";

        var run = (await scenario.RunAsync()).ShouldExitWith(2);

        foreach (var name in new[] { "HUBSPOT_KEY", "FIRSTNAME", "LASTNAME", "HUBSPOT_BASE_URL" })
        {
            Assert.Contains(name, run.Stderr, StringComparison.Ordinal);
        }

        Assert.Empty(scenario.HubSpot.Requests);
    }

    [Fact]
    public async Task AnUnparseableDotEnvExitsWith2WithoutQuotingItsText()
    {
        await using var scenario = await Scenario.StartAsync();
        scenario.Environment["HUBSPOT_KEY"] = null;
        scenario.WriteDotEnv("HUBSPOT_KEY=pat-na1-secret-should-not-print\nLASTNAME=O'Brien\nFIRSTNAME=Ada\n");

        var run = (await scenario.RunAsync()).ShouldExitWith(2);

        Assert.Contains(".env could not be parsed near line", run.Stderr, StringComparison.Ordinal);
        Assert.Contains("double quotes", run.Stderr, StringComparison.Ordinal);
        Assert.DoesNotContain("secret", run.Output, StringComparison.Ordinal);
        Assert.Empty(scenario.HubSpot.Requests);
    }

    [Fact]
    public async Task AnHttpBaseUrlIsAllowedForThisMachineOnly()
    {
        await using var scenario = await Scenario.StartAsync();
        scenario.Environment["HUBSPOT_BASE_URL"] = scenario.HubSpot.BaseUrl.ToString().Replace("127.0.0.1", "localhost", StringComparison.Ordinal);

        (await scenario.RunAsync()).ShouldExitWith(0);

        Assert.Single(scenario.HubSpot.Contacts);
    }

    [Theory]
    [InlineData("Zoë", "Ødegård", "zoe.odegard@example.com")]
    [InlineData("Seán", "O'Brien", "sean.obrien@example.com")]
    [InlineData("José María", "Núñez-Pérez", "josemaria.nunezperez@example.com")]
    [InlineData("Jürgen", "Weiß", "jurgen.weiss@example.com")]
    [InlineData("\"Ace\"", "Łukasiewicz", "ace.lukasiewicz@example.com")]
    [InlineData("Ánh", "Nguyễn Thị", "anh.nguyenthi@example.com")]
    [InlineData("Ørjan", "Æbeløe", "orjan.aebeloe@example.com")]
    [InlineData("李", "Smith", "smith@example.com")]
    public async Task NamesReachHubSpotUnchangedAndGiveAPlainEmail(string firstName, string lastName, string email)
    {
        await using var scenario = await Scenario.StartAsync();
        scenario.Environment["FIRSTNAME"] = null;
        scenario.Environment["LASTNAME"] = null;
        scenario.WriteDotEnv($"FIRSTNAME=\"{firstName.Replace("\"", "\\\"", StringComparison.Ordinal)}\"\nLASTNAME=\"{lastName}\"\n");

        var run = (await scenario.RunAsync()).ShouldExitWith(0);

        var contact = Assert.Single(scenario.HubSpot.Contacts);
        Assert.Equal((firstName, lastName, email), (contact["firstname"], contact["lastname"], contact["email"]));
        Assert.Contains(email, run.Stdout, StringComparison.Ordinal);
    }

    [Fact]
    public async Task NamesWithNoLatinLettersAskForContactEmail()
    {
        await using var scenario = await Scenario.StartAsync();
        scenario.Environment["FIRSTNAME"] = "Юлия";
        scenario.Environment["LASTNAME"] = "李";

        var run = (await scenario.RunAsync()).ShouldExitWith(2);

        Assert.Contains("CONTACT_EMAIL", run.Stderr, StringComparison.Ordinal);
        Assert.Empty(scenario.HubSpot.Requests);
    }

    [Fact]
    public async Task ContactEmailIsUsedAsGivenWithNonLatinNames()
    {
        await using var scenario = await Scenario.StartAsync();
        scenario.Environment["FIRSTNAME"] = "Юлия";
        scenario.Environment["LASTNAME"] = "李";
        scenario.Environment["CONTACT_EMAIL"] = "yulia.li@example.org";

        (await scenario.RunAsync()).ShouldExitWith(0);

        var contact = Assert.Single(scenario.HubSpot.Contacts);
        Assert.Equal(("Юлия", "李", "yulia.li@example.org"), (contact["firstname"], contact["lastname"], contact["email"]));
    }

    [Fact]
    public async Task DryRunSendsNothingAndShowsTheRequests()
    {
        await using var scenario = await Scenario.StartAsync();
        scenario.Environment["HUBSPOT_KEY"] = null;
        scenario.Environment["FIRSTNAME"] = "Zoë";

        var run = (await scenario.RunAsync("--dry-run")).ShouldExitWith(0);

        Assert.Empty(scenario.HubSpot.Requests);
        Assert.Contains($"POST {ContactsPath}", run.Stdout, StringComparison.Ordinal);
        Assert.Contains("\"firstname\":\"Zoë\"", run.Stdout, StringComparison.Ordinal);
        Assert.Contains($"POST {CompaniesPath}", run.Stdout, StringComparison.Ordinal);
        Assert.Contains("Coding Challenge Company GmbH", run.Stdout, StringComparison.Ordinal);
        Assert.Contains("coding-challenge-company.com", run.Stdout, StringComparison.Ordinal);
        Assert.Contains("/associations/default/companies/", run.Stdout, StringComparison.Ordinal);
    }

    [Fact]
    public async Task DryRunStillReportsConfigurationErrors()
    {
        await using var scenario = await Scenario.StartAsync();
        scenario.Environment["LASTNAME"] = null;

        var run = (await scenario.RunAsync("--dry-run")).ShouldExitWith(2);

        Assert.Contains("LASTNAME is not set", run.Stderr, StringComparison.Ordinal);
        Assert.Empty(scenario.HubSpot.Requests);
    }

    [Theory]
    [InlineData("--help")]
    [InlineData("-h")]
    public async Task HelpPrintsUsageAndSendsNothing(string flag)
    {
        await using var scenario = await Scenario.StartAsync();

        var run = (await scenario.RunAsync(flag)).ShouldExitWith(0);

        Assert.Contains("Usage:", run.Stdout, StringComparison.Ordinal);
        Assert.Contains("HUBSPOT_KEY", run.Stdout, StringComparison.Ordinal);
        Assert.Empty(scenario.HubSpot.Requests);
    }

    [Fact]
    public async Task AnUnknownFlagPrintsUsageToStderrAndExitsWith2()
    {
        await using var scenario = await Scenario.StartAsync();

        var run = (await scenario.RunAsync("--force")).ShouldExitWith(2);

        Assert.Contains("Unknown argument '--force'", run.Stderr, StringComparison.Ordinal);
        Assert.Contains("Usage:", run.Stderr, StringComparison.Ordinal);
        Assert.Equal("", run.Stdout);
        Assert.Empty(scenario.HubSpot.Requests);
    }

    [Fact]
    public async Task ABadRequestShowsHubSpotsMessageAndCorrelationIdWithoutAStackTrace()
    {
        await using var scenario = await Scenario.StartAsync();
        scenario.HubSpot.Inject(Route.CreateCompany, Fault.Respond(400,
            """{"status":"error","message":"Property values were not valid: [{\"isValid\":false,\"message\":\"Company names must end in AG\",\"error\":\"INVALID_VALUE\",\"name\":\"name\"}]","correlationId":"c0ffee00-1111-2222-3333-444455556666","category":"VALIDATION_ERROR"}"""));

        var run = (await scenario.RunAsync()).ShouldExitWith(1);

        Assert.Contains("400", run.Stderr, StringComparison.Ordinal);
        Assert.Contains("VALIDATION_ERROR", run.Stderr, StringComparison.Ordinal);
        Assert.Contains("Company names must end in AG", run.Stderr, StringComparison.Ordinal);
        Assert.Contains("c0ffee00-1111-2222-3333-444455556666", run.Stderr, StringComparison.Ordinal);
        Assert.Contains("company", run.Stderr, StringComparison.Ordinal);
        Assert.DoesNotContain("   at ", run.Output, StringComparison.Ordinal);
        Assert.DoesNotContain("Exception", run.Output, StringComparison.Ordinal);
        Assert.Empty(scenario.HubSpot.Companies);
        Assert.Empty(scenario.HubSpot.Associations);
    }

    [Fact]
    public async Task AnInvalidEmailIsRejectedByHubSpotWithItsOwnMessage()
    {
        await using var scenario = await Scenario.StartAsync();
        scenario.Environment["CONTACT_EMAIL"] = "ada@localhost.x";

        var run = (await scenario.RunAsync()).ShouldExitWith(1);

        Assert.Contains("Email address ada@localhost.x is invalid", run.Stderr, StringComparison.Ordinal);
        Assert.Empty(scenario.HubSpot.Contacts);
        Assert.Single(scenario.HubSpot.Requests);
    }
}
