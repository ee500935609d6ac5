using System.Text.Json.Nodes;

using FakeHubSpot;

using Xunit;

namespace HubSpotChallenge.Tests;

/// <summary>The port itself, end to end: the three calls, their bodies, pacing, configuration and output.</summary>
public sealed class PortTests
{
    const string ContactsPath = "/crm/objects/2026-09/contacts";
    const string CompaniesPath = "/crm/objects/2026-09/companies";

    [Fact]
    public async Task AFreshRunAndARerunPrintExactlyThis()
    {
        await using var scenario = await Scenario.StartAsync();

        var first = (await scenario.RunAsync()).ShouldExitWith(0);
        var second = (await scenario.RunAsync()).ShouldExitWith(0);

        Assert.Equal(Expect.FreshRunOutput(scenario), first.Stdout.ReplaceLineEndings("\n"));
        Assert.Equal(Expect.RerunOutput(scenario), second.Stdout.ReplaceLineEndings("\n"));
        Assert.Equal("", first.Stderr + second.Stderr);
    }

    [Fact]
    public async Task AFreshPortalGetsTheContactTheCompanyAndTheAssociationInFourCalls()
    {
        await using var scenario = await Scenario.StartAsync();

        (await scenario.RunAsync()).ShouldExitWith(0);

        var hub = scenario.HubSpot;
        var contact = Assert.Single(hub.Contacts);
        Assert.Equal(("ada.lovelace@example.com", "Ada", "Lovelace"), (contact["email"], contact["firstname"], contact["lastname"]));
        var company = Assert.Single(hub.Companies);
        Assert.Equal(("Coding Challenge Company GmbH", "coding-challenge-company.com"), (company["name"], company["domain"]));
        Assert.Equal((contact.Id, company.Id), Assert.Single(hub.Associations));

        var requests = hub.Requests;
        Assert.Equal([Route.CreateContact, Route.SearchCompanies, Route.CreateCompany, Route.AssociateDefault], requests.Select(r => r.Route));
        Assert.Equal(("POST", ContactsPath), (requests[0].Method, requests[0].Path));
        Expect.Json("""{"properties":{"email":"ada.lovelace@example.com","firstname":"Ada","lastname":"Lovelace"},"associations":[]}""", requests[0].Json);
        Assert.Equal(("POST", $"{CompaniesPath}/search"), (requests[1].Method, requests[1].Path));
        Expect.Json("""
            {"filterGroups":[{"filters":[{"propertyName":"domain","operator":"EQ","value":"coding-challenge-company.com"}]}],
             "properties":["name","domain"],"sorts":[{"propertyName":"createdate","direction":"ASCENDING"}],"after":"0","limit":100}
            """, requests[1].Json);
        Assert.Equal(("POST", CompaniesPath), (requests[2].Method, requests[2].Path));
        Expect.Json($$"""
            {"properties":{"name":"Coding Challenge Company GmbH","domain":"coding-challenge-company.com"},
             "associations":[{"to":{"id":"{{contact.Id}}"},"types":[{"associationCategory":"HUBSPOT_DEFINED","associationTypeId":280}]}]}
            """, requests[2].Json);
        Assert.Equal(("PUT", $"{ContactsPath}/{contact.Id}/associations/default/companies/{company.Id}", ""), (requests[3].Method, requests[3].Path, requests[3].Body));
    }

    [Fact]
    public async Task EveryRequestCarriesTheBearerTokenJsonAndAUserAgent()
    {
        await using var scenario = await Scenario.StartAsync();
        scenario.Environment["HUBSPOT_KEY"] = $"  {scenario.HubSpot.Token}  ";

        (await scenario.RunAsync()).ShouldExitWith(0);

        Assert.Equal(4, scenario.HubSpot.Requests.Count);
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
        // Retry-After: 0, so that only the pace separates the retry from the failed attempt.
        scenario.HubSpot.Inject(Route.CreateContact, Fault.ServerError(503, retryAfterSeconds: 0));

        (await scenario.RunAsync()).ShouldExitWith(0);

        var arrivals = scenario.HubSpot.Requests.Select(r => r.ArrivedAfterStart).ToList();
        Assert.Equal(5, arrivals.Count);
        for (var i = 1; i < arrivals.Count; i++)
        {
            var gap = arrivals[i] - arrivals[i - 1];
            Assert.True(gap >= TimeSpan.FromMilliseconds(195), $"Requests {i} and {i + 1} arrived {gap.TotalMilliseconds:0} ms apart.");
        }
    }

    [Fact]
    public async Task DotEnvIsReadLikePythonDotenvAndTheEnvironmentWins()
    {
        await using var scenario = await Scenario.StartAsync();
        scenario.Environment["FIRSTNAME"] = null;
        scenario.Environment["LASTNAME"] = null;
        scenario.WriteDotEnv("""
            HUBSPOT_KEY=pat-from-dotenv-loses-to-the-environment
            FIRSTNAME=Ignored
            FIRSTNAME=Ke$ha
            LASTNAME="Mc$HUBSPOT_KEY"
            HUBSPOT_BASE_URL=http://127.0.0.1:9
            """);

        var run = (await scenario.RunAsync()).ShouldExitWith(0);

        var contact = Assert.Single(scenario.HubSpot.Contacts);
        Assert.Equal(("Ke$ha", "Mc$HUBSPOT_KEY", "keha.mchubspotkey@example.com"), (contact["firstname"], contact["lastname"], contact["email"]));
        Assert.Contains("Contact 37765128902 created: Ke$ha Mc$HUBSPOT_KEY <keha.mchubspotkey@example.com>", run.Stdout, StringComparison.Ordinal);
    }

    [Fact]
    public async Task NamesReachHubSpotUnchangedAndGiveAPlainEmail()
    {
        await using var scenario = await Scenario.StartAsync();
        scenario.Environment["FIRSTNAME"] = null;
        scenario.Environment["LASTNAME"] = null;
        scenario.WriteDotEnv("FIRSTNAME=\"Zoë\"\nLASTNAME=\"Ødegård-O'Brien\"\n");

        (await scenario.RunAsync()).ShouldExitWith(0);

        var contact = Assert.Single(scenario.HubSpot.Contacts);
        Assert.Equal(("Zoë", "Ødegård-O'Brien", "zoe.odegardobrien@example.com"), (contact["firstname"], contact["lastname"], contact["email"]));
    }

    [Fact]
    public async Task ABaseUrlPathIsKeptAndRequestsGoBelowIt()
    {
        await using var scenario = await Scenario.StartAsync(pathBase: "/gateway/hubspot");

        var run = (await scenario.RunAsync()).ShouldExitWith(0);

        Expect.Converged(scenario);
        Assert.All(scenario.HubSpot.Requests, r => Assert.StartsWith("/gateway/hubspot/crm/objects/2026-09/", r.Path, StringComparison.Ordinal));
        Assert.Contains($"Done: 4 requests to {scenario.HubSpot.BaseUrl.Authority}/gateway/hubspot.", run.Stdout, StringComparison.Ordinal);
    }

    [Fact]
    public async Task ConfigurationProblemsAreAllReportedWithExitCode2AndNothingIsSent()
    {
        await using var scenario = await Scenario.StartAsync();
        scenario.Environment["HUBSPOT_KEY"] = null;
        scenario.Environment["FIRSTNAME"] = "A\u001b[31mRED";
        scenario.Environment["HUBSPOT_BASE_URL"] = "http://user:s3cr3t@127.0.0.1:9";

        var run = (await scenario.RunAsync()).ShouldExitWith(2);

        Assert.Equal($$"""
            Nothing was sent to HubSpot. Correct the configuration:
              - HUBSPOT_KEY is not set, and there is no .env in {{scenario.Directory}}: run the program from the folder that holds .env.
              - FIRSTNAME contains a control or invisible character (U+001B): write it as plain text.
              - HUBSPOT_BASE_URL contains a user name or password (before an @): remove it.

            """.ReplaceLineEndings("\n"), run.Stderr.ReplaceLineEndings("\n"));
        Assert.Equal("", run.Stdout);
        Assert.Empty(scenario.HubSpot.Requests);
    }

    [Fact]
    public async Task AnInvisibleCharacterBeyondTheFirstPlaneIsRefusedAndNothingIsSent()
    {
        await using var scenario = await Scenario.StartAsync();
        scenario.Environment["FIRSTNAME"] = "Ada\U000E0041\U000E007F";

        var run = (await scenario.RunAsync()).ShouldExitWith(2);

        Assert.Contains("  - FIRSTNAME contains a control or invisible character (U+E0041): write it as plain text.", run.Stderr, StringComparison.Ordinal);
        Assert.DoesNotContain("\U000E0041", run.Output, StringComparison.Ordinal);
        Assert.Empty(scenario.HubSpot.Requests);
    }

    [Theory]
    [InlineData("socket")]
    public async Task ADotEnvThatCannotBeReadIsAConfigurationErrorNamingItsPath(string kind)
    {
        Posix.Require("a symbolic link made without privileges, and a Unix socket");
        await using var scenario = await Scenario.StartAsync();
        var path = Path.Combine(scenario.Directory, ".env");
        using var socket = kind == "socket" ? new System.Net.Sockets.Socket(System.Net.Sockets.AddressFamily.Unix, System.Net.Sockets.SocketType.Stream, System.Net.Sockets.ProtocolType.Unspecified) : null;
        if (kind == "link")
        {
            File.CreateSymbolicLink(path, Path.Combine(scenario.Directory, "moved-away.env"));
        }
        else
        {
            socket!.Bind(new System.Net.Sockets.UnixDomainSocketEndPoint(path));
        }

        foreach (var dryRun in new[] { false, true })
        {
            var run = (await scenario.RunAsync(dryRun ? ["--dry-run"] : [])).ShouldExitWith(2);

            Assert.Contains($"  - {path} could not be read (", run.Stderr, StringComparison.Ordinal);
            Assert.DoesNotContain("   at ", run.Output, StringComparison.Ordinal);
        }

        Assert.Empty(scenario.HubSpot.Requests);
    }

    [Fact]
    public async Task ADotEnvTheUserMayNotReadIsAConfigurationErrorNamingItsPath()
    {
        Assert.SkipUnless(Posix.CanRunAsNobody, "Running the app as another user needs POSIX, root, setpriv, and the test binaries in folders others may enter.");

        await using var scenario = await Scenario.StartAsync();
        scenario.WriteDotEnv("FIRSTNAME=Ada\n");
        var path = Path.Combine(scenario.Directory, ".env");
        Posix.MakeUnreadable(path);

        var run = (await scenario.RunAsync([], whileRunning: null, asNobody: true)).ShouldExitWith(2);

        Assert.Contains($"  - {path} could not be read (Access to the path '{path}' is denied)", run.Stderr, StringComparison.Ordinal);
        Assert.Empty(scenario.HubSpot.Requests);
    }

    [Fact]
    public async Task ADryRunWorksWithTheUnchangedExampleAndSendsNothing()
    {
        await using var scenario = await Scenario.StartAsync();
        foreach (var name in new[] { "HUBSPOT_KEY", "FIRSTNAME", "LASTNAME", "HUBSPOT_BASE_URL" })
        {
            scenario.Environment[name] = null;
        }

        File.Copy(Path.Combine(Scenario.RepositoryRoot(), ".env.example"), Path.Combine(scenario.Directory, ".env"));

        var run = (await scenario.RunAsync("--dry-run")).ShouldExitWith(0);

        Assert.Equal($$"""
            Dry run: nothing is sent. The plan:
            1. Create the contact; on 409 (it exists), read it with its companies:
               POST https://api.hubapi.com{{ContactsPath}}
               {"properties":{"email":"ada.lovelace@example.com","firstname":"Ada","lastname":"Lovelace"},"associations":[]}
               GET https://api.hubapi.com{{ContactsPath}}/ada.lovelace%40example.com?idProperty=email&associations=companies
            2. Find the company among those companies, else by a search on its domain:
               POST https://api.hubapi.com{{CompaniesPath}}/batch/read
               {"inputs":[{"id":"{companyId}"}],"properties":["name","domain"],"propertiesWithHistory":[]}
               POST https://api.hubapi.com{{CompaniesPath}}/search
               {"filterGroups":[{"filters":[{"propertyName":"domain","operator":"EQ","value":"coding-challenge-company.com"}]}],"properties":["name","domain"],"sorts":[{"propertyName":"createdate","direction":"ASCENDING"}],"after":"0","limit":100}
            3. If none was found, create it, already associated with the contact:
               POST https://api.hubapi.com{{CompaniesPath}}
               {"properties":{"name":"Coding Challenge Company GmbH","domain":"coding-challenge-company.com"},"associations":[{"to":{"id":"{contactId}"},"types":[{"associationCategory":"HUBSPOT_DEFINED","associationTypeId":280}]}]}
            4. Associate the contact with the company:
               PUT https://api.hubapi.com{{ContactsPath}}/{contactId}/associations/default/companies/{companyId}

            """.ReplaceLineEndings("\n"), run.Stdout.ReplaceLineEndings("\n"));
        Assert.Equal("", run.Stderr);
        Assert.Empty(scenario.HubSpot.Requests);
    }

    [Fact]
    public async Task TheDryRunPlanShowsTheRequestsARealRunThenSends()
    {
        await using var scenario = await Scenario.StartAsync();

        var plan = (await scenario.RunAsync("--dry-run")).ShouldExitWith(0).Stdout.ReplaceLineEndings("\n").Split('\n');
        Assert.Empty(scenario.HubSpot.Requests);
        (await scenario.RunAsync()).ShouldExitWith(0);

        var contactId = scenario.HubSpot.Contacts[0].Id;
        var companyId = scenario.HubSpot.Companies[0].Id;
        var shown = plan.Where(line => line.StartsWith("   ", StringComparison.Ordinal))
            .Select(line => line.Trim().Replace("{contactId}", contactId, StringComparison.Ordinal).Replace("{companyId}", companyId, StringComparison.Ordinal))
            .ToList();
        foreach (var request in scenario.HubSpot.Requests)
        {
            Assert.Contains($"{request.Method} {scenario.HubSpot.BaseUrl.ToString().TrimEnd('/')}{request.Path}", shown.Select(Uri.UnescapeDataString));
            if (request.Body.Length > 0)
            {
                Assert.Contains(request.Body, shown);
            }
        }
    }

    [Theory]
    [InlineData("--help")]
    [InlineData("-h")]
    public async Task HelpPrintsUsageAndSendsNothing(string flag)
    {
        await using var scenario = await Scenario.StartAsync();

        var run = (await scenario.RunAsync(flag)).ShouldExitWith(0);

        Assert.StartsWith("HubSpotChallenge 1.0.0: creates a contact", run.Stdout, StringComparison.Ordinal);
        Assert.Contains("Usage: dotnet run [-- --dry-run | --help]", run.Stdout, StringComparison.Ordinal);
        Assert.Empty(scenario.HubSpot.Requests);
    }

    [Fact]
    public async Task AnUnknownFlagPrintsUsageToStderrAndExitsWith2()
    {
        await using var scenario = await Scenario.StartAsync();

        var run = (await scenario.RunAsync("--force\u001b[2J")).ShouldExitWith(2);

        Assert.StartsWith("Unknown argument.", run.Stderr, StringComparison.Ordinal);
        Assert.DoesNotContain("force", run.Output, StringComparison.Ordinal);
        Assert.Contains("Usage:", run.Stderr, StringComparison.Ordinal);
        Assert.Equal("", run.Stdout);
        Assert.Empty(scenario.HubSpot.Requests);
    }
}
