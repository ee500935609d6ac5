using System.Net;
using System.Text;

using Xunit;

namespace HubSpotChallenge.Tests;

/// <summary>The configuration rules, as tables: what each input gives, without starting the app.</summary>
public sealed class SettingsRules
{
    const string Token = "pat-na1-00000000-0000-0000-0000-000000000000";

    static (string? Email, List<string> Problems, List<string> Notes) Load(
        Dictionary<string, string?> environment, Dictionary<string, string>? dotEnv = null, bool dryRun = false)
    {
        Dictionary<string, string?> everything = new() { ["HUBSPOT_KEY"] = Token, ["FIRSTNAME"] = "Ada", ["LASTNAME"] = "Lovelace" };
        foreach (var (name, value) in environment)
        {
            everything[name] = value;
        }

        var (settings, problems) = Settings.Load(name => everything.GetValueOrDefault(name), DotEnv(dotEnv), dryRun);
        return (settings?.Email, problems, [.. new[] { settings is null ? null : Settings.TokenProblem(settings.Token, DotEnv(dotEnv)) }.OfType<string>()]);
    }

    static DotEnvFile DotEnv(Dictionary<string, string>? values) => new("/home/ada/project/.env", values is not null, values ?? [], []);

    public static TheoryData<string, string?, string> Problems => new()
    {
        { "HUBSPOT_KEY", null, "HUBSPOT_KEY is not set (no .env in /home/ada/project): put your private app token or service key in .env" },
        { "HUBSPOT_KEY", "   ", "HUBSPOT_KEY is not set" },
        { "HUBSPOT_KEY", "pat-xxxxxxxxxxxxxxxxxxxxxxxxxxxx", "HUBSPOT_KEY is still the placeholder" },
        { "HUBSPOT_KEY", "two words", "HUBSPOT_KEY contains spaces" },
        { "FIRSTNAME", null, "FIRSTNAME is not set (no .env in /home/ada/project): put the contact's first name in .env." },
        { "FIRSTNAME", " ", "FIRSTNAME is not set" },
        { "LASTNAME", null, "LASTNAME is not set" },
        { "FIRSTNAME", "A\u001b[31mRED", "FIRSTNAME contains a control or invisible character (U+001B)" },
        { "LASTNAME", "Love\nlace", "LASTNAME contains a control or invisible character (U+000A)" },
        { "FIRSTNAME", "\u200B", "FIRSTNAME contains a control or invisible character (U+200B)" },
        { "LASTNAME", "Lovelace\u202E", "LASTNAME contains a control or invisible character (U+202E)" },
        { "LASTNAME", new string('x', 10_000), "LASTNAME is 10000 characters long; at most 200 are accepted." },
        { "LASTNAME", $"Mc{Token}", "LASTNAME contains the token from HUBSPOT_KEY" },
        { "HUBSPOT_BASE_URL", "api.hubapi.com", "HUBSPOT_BASE_URL 'api.hubapi.com' is not an https URL like https://api.hubapi.com (http:// only to this machine; no query)." },
        { "HUBSPOT_BASE_URL", "ftp://api.hubapi.com", "HUBSPOT_BASE_URL 'ftp://api.hubapi.com' is not an https URL" },
        { "HUBSPOT_BASE_URL", "http://api.hubapi.com", "HUBSPOT_BASE_URL 'http://api.hubapi.com' is not an https URL" },
        { "HUBSPOT_BASE_URL", "https://api.hubapi.com/?portal=1", "is not an https URL" },
        { "HUBSPOT_BASE_URL", "https://api.hubapi.com/#x", "is not an https URL" },
        { "HUBSPOT_BASE_URL", "http://user:s3cr3t@127.0.0.1:9", "HUBSPOT_BASE_URL contains a user name or password (before an @): remove it" },
        { "HUBSPOT_BASE_URL", "user:s3cr3t@api.hubapi.com", "HUBSPOT_BASE_URL contains a user name or password" },
        { "CONTACT_EMAIL", "not-an-email", "CONTACT_EMAIL 'not-an-email' is not an email address" },
        { "CONTACT_EMAIL", "Ada <ada@example.com>", "is not an email address" },
        { "CONTACT_EMAIL", $"{new string('a', 65)}@example.com", "is not an email address" },
        { "CONTACT_EMAIL", "ada@example.com\u0007", "CONTACT_EMAIL contains a control or invisible character (U+0007)" },
        { "CONTACT_EMAIL", "ada@coding-challenge-company.com", "CONTACT_EMAIL must not use coding-challenge-company.com" },
        { "HUBSPOT_TIMEOUT_SECONDS", "0", "HUBSPOT_TIMEOUT_SECONDS '0' is not a whole number of seconds from 1 to 300" },
        { "HUBSPOT_TIMEOUT_SECONDS", "ten", "HUBSPOT_TIMEOUT_SECONDS 'ten'" },
    };

    [Theory]
    [MemberData(nameof(Problems))]
    public void EachBadValueIsOneProblemThatNamesTheVariable(string variable, string? value, string expected)
    {
        var (email, problems, _) = Load(new() { [variable] = value });

        Assert.Null(email);
        var problem = Assert.Single(problems);
        Assert.Contains(expected, problem, StringComparison.Ordinal);
        Assert.DoesNotContain("s3cr3t", problem, StringComparison.Ordinal);
        Assert.True(problem.All(c => !char.IsControl(c)), $"The problem quotes a control character: {problem}");
    }

    [Fact]
    public void EveryProblemIsReportedAtOnce()
    {
        var (_, problems, _) = Load(new() { ["HUBSPOT_KEY"] = null, ["FIRSTNAME"] = null, ["LASTNAME"] = "", ["HUBSPOT_BASE_URL"] = "nowhere" });

        Assert.Equal(["HUBSPOT_KEY", "FIRSTNAME", "LASTNAME", "HUBSPOT_BASE_URL"], problems.Select(p => p.Split(' ')[0]));
    }

    [Theory]
    [InlineData("http://127.0.0.1:5123")]
    [InlineData("http://localhost:5123/")]
    [InlineData("https://api-eu1.hubapi.com")]
    [InlineData("https://gateway.example.org/hubspot")]
    public void AnHttpsUrlOrPlainHttpToThisMachineIsAccepted(string baseUrl)
    {
        var (email, problems, _) = Load(new() { ["HUBSPOT_BASE_URL"] = baseUrl });

        Assert.Empty(problems);
        Assert.NotNull(email);
    }

    [Fact]
    public void TheEnvironmentWinsOverDotEnvAndDotEnvFillsTheRest()
    {
        var (email, problems, _) = Load(new() { ["LASTNAME"] = null }, new() { ["FIRSTNAME"] = "Grace", ["LASTNAME"] = "Hopper" });

        Assert.Empty(problems);
        Assert.Equal("ada.hopper@example.com", email);
    }

    [Fact]
    public void AVariableNotSetSaysWhichDotEnvWasRead()
    {
        var (_, problems, _) = Load(new() { ["LASTNAME"] = null }, new() { ["FIRSTNAME"] = "Grace" });

        Assert.Equal(["LASTNAME is not set (not in /home/ada/project/.env): put the contact's last name in .env."], problems);
    }

    [Theory]
    [InlineData("FIRST_NAME", "FIRSTNAME")]
    [InlineData("firstname", "FIRSTNAME")]
    [InlineData("Contact-Email", "CONTACT_EMAIL")]
    [InlineData("HUBSPOT.BASE.URL", "HUBSPOT_BASE_URL")]
    public void ANameInDotEnvThatDiffersOnlyInCaseOrSeparatorsGetsADidYouMean(string key, string name)
    {
        var (_, problems, _) = Load([], new() { [key] = "x" });

        Assert.Contains($"/home/ada/project/.env sets {key}, which is not read: did you mean {name}?", problems);
    }

    [Fact]
    public void OtherNamesInDotEnvAreLeftAlone()
    {
        var (email, problems, _) = Load([], new() { ["EDITOR"] = "vim", ["HUBSPOT_PORTAL_ID"] = "123" });

        Assert.Empty(problems);
        Assert.NotNull(email);
    }

    [Fact]
    public void AnEmptyVariableInTheEnvironmentIsUnsetSoDotEnvsValueIsUsed()
    {
        var (email, problems, _) = Load(new() { ["FIRSTNAME"] = "" }, new() { ["FIRSTNAME"] = "Grace" });

        Assert.Empty(problems);
        Assert.Equal("grace.lovelace@example.com", email);
    }

    [Theory]
    [InlineData(null, "HUBSPOT_KEY is not set")]
    [InlineData("pat-xxxxxxxxxxxxxxxxxxxxxxxxxxxx", "HUBSPOT_KEY is still the placeholder from .env.example")]
    public void ADryRunNeedsNoTokenAndOnlyNotesAMissingOrPlaceholderOne(string? token, string note)
    {
        var (email, problems, notes) = Load(new() { ["HUBSPOT_KEY"] = token }, dryRun: true);

        Assert.Empty(problems);
        Assert.Equal("ada.lovelace@example.com", email);
        Assert.StartsWith(note, Assert.Single(notes), StringComparison.Ordinal);
    }

    [Fact]
    public void ADryRunStillReportsOtherProblems()
    {
        var (_, problems, _) = Load(new() { ["HUBSPOT_KEY"] = null, ["LASTNAME"] = null }, dryRun: true);

        Assert.StartsWith("LASTNAME is not set", Assert.Single(problems), StringComparison.Ordinal);
    }

    [Fact]
    public void NamesWithoutLatinLettersAskForContactEmail()
    {
        var (_, problems, _) = Load(new() { ["FIRSTNAME"] = "Юлия", ["LASTNAME"] = "李" });

        Assert.StartsWith("FIRSTNAME and LASTNAME have no Latin letters or digits to build an email from: set CONTACT_EMAIL.", Assert.Single(problems), StringComparison.Ordinal);
    }

    [Fact]
    public void OnceReadTheTokenIsHiddenInEveryPrintedLineEvenInsideHubSpotsMessages()
    {
        Load([]);

        Assert.Equal("Bad header: Authorization: Bearer (hidden).", Terminal.Printable($"Bad header: Authorization: Bearer {Token}."));
    }

    [Theory]
    [InlineData("Ada", "Lovelace", "ada.lovelace@example.com")]
    [InlineData("Zoë", "Ødegård", "zoe.odegard@example.com")]
    [InlineData("Seán", "O'Brien", "sean.obrien@example.com")]
    [InlineData("José María", "Núñez-Pérez", "josemaria.nunezperez@example.com")]
    [InlineData("Jürgen", "Weiß", "jurgen.weiss@example.com")]
    [InlineData("\"Ace\"", "Łukasiewicz", "ace.lukasiewicz@example.com")]
    [InlineData("Ánh", "Nguyễn Thị", "anh.nguyenthi@example.com")]
    [InlineData("Ørjan", "Æbeløe", "orjan.aebeloe@example.com")]
    [InlineData("Œdipe", "Þórsson", "oedipe.thorsson@example.com")]
    [InlineData("李", "Smith", "smith@example.com")]
    [InlineData("Юлия", "李", "")]
    [InlineData("İsmail", "Yılmaz", "ismail.yilmaz@example.com")]
    [InlineData("Muḥammad", "Ṣāliḥ", "muhammad.salih@example.com")]
    [InlineData("Łukasz", "Ødegård", "lukasz.odegard@example.com")]
    [InlineData("Lǚ", "Nguyễn", "lu.nguyen@example.com")]
    [InlineData("ǅemal", "ẞtraße", "dzemal.sstrasse@example.com")]
    public void TheEmailIsBuiltFromTheNamesWithAccentsFolded(string firstName, string lastName, string email) =>
        Assert.Equal(email, Settings.EmailFromNames(firstName, lastName));

    [Theory]
    [InlineData(150, 150, 32, 31)]
    [InlineData(5, 150, 5, 58)]
    [InlineData(150, 5, 58, 5)]
    [InlineData(31, 32, 31, 32)]
    public void LongNamesAreShortenedSoTheLocalPartKeepsWithin64Characters(int firstLength, int lastLength, int firstKept, int lastKept)
    {
        var email = Settings.EmailFromNames(new string('a', firstLength), new string('b', lastLength));

        Assert.Equal($"{new string('a', firstKept)}.{new string('b', lastKept)}@example.com", email);
        Assert.True(email.IndexOf('@') <= 64, email);
    }
}

/// <summary>.env as python-dotenv reads it, and only from a small regular file.</summary>
public sealed class DotEnvRules
{
    // A variable of this test process's own, for ${...}; no other test sets it.
    const string Given = "HUBSPOT_CHALLENGE_TEST_GIVEN_NAME";

    public static TheoryData<string, string> FirstNames => new()
    {
        { "FIRSTNAME=Ke$ha\n", "Ke$ha" },
        { "FIRSTNAME=\"Ke$ha\"\n", "Ke$ha" },
        { "FIRSTNAME='Ke$ha'\n", "Ke$ha" },
        { "FIRSTNAME=\"$HOME\"\n", "$HOME" },
        { "LASTNAME=\"Mc$HUBSPOT_KEY\"\nFIRSTNAME=Ada\n", "Ada" },
        { $"FIRSTNAME=\"${{{Given}}}\"\n", "Grace" },
        { $"FIRSTNAME=${{{Given}}} # from the environment\n", "Grace" },
        { $"FIRSTNAME='${{{Given}}}'\n", $"${{{Given}}}" },
        { "FIRSTNAME=First\nFIRSTNAME=Last wins\n", "Last wins" },
        { "FIRSTNAME=\"Ann\\\\$1\"\r\n", "Ann\\$1" },
        { "FIRSTNAME=Ke$ha#1 # a comment\n", "Ke$ha#1" },
        { "# FIRSTNAME=$commented\nexport FIRSTNAME=Exported\n", "Exported" },
        { "FIRSTNAME=\"two\nlines $x\"\n", "two\nlines $x" },
    };

    [Theory]
    [MemberData(nameof(FirstNames))]
    public void DollarsAreLiteralBracesExpandAndTheLastDuplicateWins(string text, string firstName)
    {
        Environment.SetEnvironmentVariable(Given, "Grace");

        var values = DotEnvFile.Parse(text);

        Assert.Equal(firstName, values["FIRSTNAME"]);
        Assert.DoesNotContain(values.Values, v => v.Contains("pat-", StringComparison.Ordinal));
    }

    public static TheoryData<string, string> UnreadableFiles => new()
    {
        { "directory", "Access to the path" },
        { "link to a missing file", "Could not find file" },
        { "socket", "No such device or address" },
    };

    [Theory]
    [MemberData(nameof(UnreadableFiles))]
    public void ADotEnvThatCannotBeReadIsOneProblemNamingItsPath(string kind, string reason)
    {
        var directory = Directory.CreateTempSubdirectory("hubspot-challenge-dotenv-").FullName;
        var path = Path.Combine(directory, ".env");
        using var socket = new System.Net.Sockets.Socket(System.Net.Sockets.AddressFamily.Unix, System.Net.Sockets.SocketType.Stream, System.Net.Sockets.ProtocolType.Unspecified);
        try
        {
            switch (kind)
            {
                case "directory":
                    Directory.CreateDirectory(path);
                    break;
                case "socket":
                    socket.Bind(new System.Net.Sockets.UnixDomainSocketEndPoint(path));
                    break;
                default:
                    File.CreateSymbolicLink(path, Path.Combine(directory, "missing"));
                    break;
            }

            var dotEnv = DotEnvFile.Read(path);

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
    public void NoDotEnvIsNoProblem()
    {
        var dotEnv = DotEnvFile.Read(Path.Combine(Directory.CreateTempSubdirectory("hubspot-challenge-dotenv-").FullName, ".env"));

        Assert.Empty(dotEnv.Values);
        Assert.Empty(dotEnv.Problems);
    }

    [Fact]
    public void AParseErrorGivesThePositionButNotTheText()
    {
        var path = Path.Combine(Directory.CreateTempSubdirectory("hubspot-challenge-dotenv-").FullName, ".env");
        File.WriteAllText(path, "HUBSPOT_KEY=pat-na1-secret-should-not-print\nLASTNAME=O'Brien\n");

        var problem = Assert.Single(DotEnvFile.Read(path).Problems);

        Assert.StartsWith($"{path} could not be parsed at line 2, so none of its values were read: put values with quotes", problem, StringComparison.Ordinal);
        Assert.DoesNotContain("secret", problem, StringComparison.Ordinal);
        Directory.Delete(Path.GetDirectoryName(path)!, recursive: true);
    }
}

/// <summary>What each answer from HubSpot means: retry or not, how long to wait, and the line the user reads.</summary>
public sealed class AnswerRules
{
    static Answer Answer(int status, string body = "", string? mediaType = "application/json", params (string Name, string Value)[] headers)
    {
        using var message = new HttpResponseMessage((HttpStatusCode)status);
        foreach (var (name, value) in headers)
        {
            message.Headers.TryAddWithoutValidation(name, value);
        }

        return new Answer("creating the contact", "api.hubapi.com", status, Encoding.UTF8.GetBytes(body), mediaType, message.Headers);
    }

    static string RateLimit(string policy) => $$"""{"status":"error","message":"You have reached your limit.","errorType":"RATE_LIMIT","policyName":"{{policy}}"}""";

    const string EdgePage = "<!DOCTYPE html><html><head><title>api.hubapi.com | 524: A timeout occurred</title></head><body>Cloudflare</body></html>";

    public static TheoryData<int, string, string?, bool, double?, bool> Decisions => new()
    {
        // status, body, Retry-After or rate-limit window ("window:ms"), worth retrying, wait in seconds (null: back off), may have happened
        { 429, RateLimit("TEN_SECONDLY_ROLLING"), null, true, 10, false },
        { 429, RateLimit("TEN_SECONDLY_ROLLING"), "3", true, 3, false },
        { 429, RateLimit("TEN_SECONDLY_ROLLING"), "window:1500", true, 1.5, false },
        { 429, RateLimit("SECONDLY"), null, true, 1, false },
        { 429, RateLimit("DAILY"), null, false, null, false },
        { 423, "{}", null, true, 2, false },
        { 423, "{}", "1", true, 2, false },
        { 423, "{}", "5", true, 5, false },
        { 500, "{}", null, true, null, true },
        { 502, "<html>Bad gateway</html>", null, true, null, true },
        { 503, "{}", "7", true, 7, true },
        { 504, "", null, true, null, true },
        { 520, EdgePage, null, true, null, true },
        { 521, EdgePage, null, true, null, true },
        { 522, EdgePage, null, true, null, true },
        { 524, EdgePage, null, true, null, true },
        { 501, "{}", null, false, null, true },
        { 400, "{}", null, false, null, false },
        { 401, "{}", null, false, null, false },
        { 403, "{}", null, false, null, false },
        { 404, "", null, false, null, false },
        { 404, "<html>Not found</html>", null, false, null, false },
        { 409, "{}", null, false, null, false },
        { 477, "{}", "7200", false, null, false },
        { 307, "", null, false, null, false },
    };

    [Theory]
    [MemberData(nameof(Decisions))]
    public void EachStatusPolicyAndHeaderGivesOneRetryDecision(int status, string body, string? header, bool worthRetrying, double? waitSeconds, bool mayHaveHappened)
    {
        var headers = header switch
        {
            null => [],
            ['w', 'i', 'n', 'd', 'o', 'w', ':', .. var ms] => new[] { ("X-HubSpot-RateLimit-Interval-Milliseconds", ms) },
            _ => [("Retry-After", header)],
        };

        var failure = Answer(status, body, body.StartsWith('<') ? "text/html" : "application/json", headers).ToFailure();

        Assert.Equal(worthRetrying, failure.WorthRetrying);
        Assert.Equal(waitSeconds, failure.Wait?.TotalSeconds);
        Assert.Equal(mayHaveHappened, failure.MayHaveHappened);
    }

    public static TheoryData<int, string, string?, string> Wordings => new()
    {
        { 401, """{"message":"Authentication credentials not found.","category":"INVALID_AUTHENTICATION","correlationId":"c-401"}""", "application/json",
            "HubSpot rejected the token (401 INVALID_AUTHENTICATION) while creating the contact. Check HUBSPOT_KEY" },
        { 403, """{"message":"missing","category":"MISSING_SCOPES","errors":[{"message":"x","context":{"requiredScopes":["crm.objects.contacts.write"]}}]}""", "application/json",
            "The token lacks a scope needed for creating the contact (403 MISSING_SCOPES): crm.objects.contacts.write. Grant it" },
        { 403, """{"message":"missing","category":"MISSING_SCOPES","context":{"missingScopes":["crm.objects.contacts.write"]}}""", "application/json",
            "(403 MISSING_SCOPES): crm.objects.contacts.write." },
        { 403, """{"message":"missing","context":{"requiredGranularScopes":["crm.objects.contacts.write"]},"errors":[null]}""", "application/json",
            "(403): crm.objects.contacts.write." },
        { 403, """{"message":"This portal is on a plan without this API.","category":"FORBIDDEN"}""", "application/json",
            "HubSpot refused creating the contact (403 FORBIDDEN): This portal is on a plan without this API. Check that HUBSPOT_KEY belongs" },
        { 400, """{"message":"Property values were not valid: [{\"isValid\":false,\"message\":\"Email address x is invalid\",\"error\":\"INVALID_EMAIL\",\"name\":\"email\"}]","category":"VALIDATION_ERROR"}""", "application/json",
            "HubSpot refused the values (400 VALIDATION_ERROR) while creating the contact: Property values were not valid: [{\"isValid\":false,\"message\":\"Email address x is invalid\"" },
        { 404, "", null, "HubSpot answered 404 while creating the contact: (no message). Check HUBSPOT_BASE_URL" },
        { 418, "<html><h1>I'm a teapot</h1></html>", "text/html", "api.hubapi.com answered 418 with text/html, not HubSpot's JSON, while creating the contact. Check HUBSPOT_BASE_URL" },
        { 524, EdgePage, "text/html", "HubSpot had trouble (524) while creating the contact: (a text/html page). Run again later." },
        { 429, RateLimit("DAILY"), "application/json", "HubSpot's daily API limit for this account is spent (429 DAILY) while creating the contact. It resets at midnight in the account's time zone" },
        { 429, RateLimit("TEN_SECONDLY_ROLLING"), "application/json", "HubSpot's rate limit held (429 TEN_SECONDLY_ROLLING) while creating the contact: You have reached your limit. Wait a little" },
        { 477, """{"message":"This portal is being migrated."}""", "application/json", "The HubSpot account is being migrated (477) while creating the contact: This portal is being migrated. Run again later." },
        { 503, """{"message":"Internal error","category":"INTERNAL_ERROR"}""", "application/json", "HubSpot had trouble (503 INTERNAL_ERROR) while creating the contact: Internal error. Run again later." },
        { 405, """{"message":"Method not allowed","category":"METHOD"}""", "application/json", "HubSpot answered 405 METHOD while creating the contact: Method not allowed. Check HUBSPOT_BASE_URL" },
    };

    [Theory]
    [MemberData(nameof(Wordings))]
    public void EachFailureIsOneLineThatNamesTheCauseAndTheFix(int status, string body, string? mediaType, string expected)
    {
        var text = Answer(status, body, mediaType).ToFailure().Text;

        Assert.Contains(expected, text, StringComparison.Ordinal);
        Assert.DoesNotContain("..", text, StringComparison.Ordinal);
        Assert.DoesNotContain('\n', text);
    }

    [Fact]
    public void ARedirectNamesItsTargetWithoutTheQuery()
    {
        var failure = Answer(307, "", null, ("Location", "https://elsewhere.example/crm/objects/2026-09/contacts?steal=1")).ToFailure();

        Assert.Contains("answered 307 while creating the contact, redirecting to https://elsewhere.example/crm/objects/2026-09/contacts;", failure.Text, StringComparison.Ordinal);
        Assert.DoesNotContain("steal", failure.Text, StringComparison.Ordinal);
    }

    [Fact]
    public void TheCorrelationIdComesFromTheBodyOrElseTheHeader()
    {
        Assert.Equal("c-body", Answer(500, """{"correlationId":"c-body"}""").ToFailure().CorrelationId);
        Assert.Equal("c-header", Answer(500, "", headers: ("X-HubSpot-Correlation-Id", "c-header")).ToFailure().CorrelationId);
    }

    public static TheoryData<string, string?, string> UnreadableRecords => new()
    {
        { "{}", "application/json", "no 'id' at $" },
        { """{"id":null}""", "application/json", "null at $.id" },
        { """{"id":""}""", "application/json", "an empty id at $" },
        { """{"id":5}""", "application/json", "nothing usable at $.id" },
        { "null", "application/json", "nothing usable at $" },
        { "[]", "application/json", "nothing usable at $" },
        { "{\"id\":", "application/json", "application/json, not JSON" },
        { "<html></html>", "text/html", "text/html, not JSON" },
        { "", null, "no content type, not JSON" },
    };

    [Theory]
    [MemberData(nameof(UnreadableRecords))]
    public void ARecordWithoutWhatTheProgramNeedsIsOneClearFailure(string body, string? mediaType, string detail)
    {
        var answer = Answer(201, body, mediaType);

        var e = Assert.Throws<HubSpotException>(() => answer.Id(answer.Json, "$"));

        Assert.StartsWith($"HubSpot answered 201 while creating the contact, but without what the program needs ({detail})", e.Message, StringComparison.Ordinal);
    }

    public static TheoryData<string, string> UnreadableSearches => new()
    {
        { "{}", "no 'results' at $" },
        { """{"total":0,"results":null}""", "null at $.results" },
        { """{"total":1,"results":[null]}""", "nothing usable at $.results[0]" },
        { """{"total":1,"results":[{"properties":{"domain":"x.com"}}]}""", "no 'id' at $.results[0]" },
        { """{"total":1,"results":[{"id":"7","properties":{"name":"Coding Challenge Company GmbH"}}]}""", "no 'domain' at $.results[0].properties" },
    };

    [Theory]
    [MemberData(nameof(UnreadableSearches))]
    public void AnUnreadableSearchIsAFailureNotNoCompany(string body, string detail)
    {
        var e = Assert.Throws<HubSpotException>(() => OurCompany.OldestAmong(Answer(200, body), domainRequired: true));

        Assert.Contains($"({detail})", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void TheOldestCompanyWithOurDomainIsChosenAndOtherDomainsAreSkipped()
    {
        var answer = Answer(200, """
            {"results":[
              {"id":"3","createdAt":"2024-01-01T00:00:00Z","properties":{"domain":"coding-challenge-company.com.example.org"}},
              {"id":"2","createdAt":"2025-01-01T00:00:00Z","properties":{"domain":" Coding-Challenge-Company.com "}},
              {"id":"1","createdAt":"2024-06-01T00:00:00Z","properties":{"domain":"coding-challenge-company.com"}},
              {"id":"4","properties":{"domain":null}}]}
            """);

        Assert.Equal("1", OurCompany.OldestAmong(answer, domainRequired: false));
    }

    [Fact]
    public void AContactsCompaniesAreListedOnceEachAndNoneWhenTheKeyIsAbsent()
    {
        var linked = Answer(200, """
            {"id":"9","associations":{"companies":{"results":[
              {"id":"5","type":"contact_to_company"},{"id":"5","type":"contact_to_company_unlabeled"},{"id":"6","type":"contact_to_company_unlabeled"}]}}}
            """);

        Assert.Equal(["5", "6"], linked.CompanyIds());
        Assert.Empty(Answer(200, """{"id":"9","properties":{}}""").CompanyIds());
    }

    [Fact]
    public void AnAnswerIsReadAsUtf8WhateverItsCharsetSays()
    {
        var answer = Answer(200, """{"id":"7","properties":{"firstname":"Zoë"}}""", "application/json; charset=nope");

        Assert.Equal("Zoë", global::Answer.Text(global::Answer.Field(answer.Json, "properties", System.Text.Json.JsonValueKind.Object), "firstname"));
    }
}

/// <summary>Text from outside is shown, never obeyed, by the terminal.</summary>
public sealed class PrintingRules
{
    [Theory]
    [InlineData("Zoë Ødegård 李 O'Brien", "Zoë Ødegård 李 O'Brien")]
    [InlineData("a\u001b[31mb", "a\\u001B[31mb")]
    [InlineData("line\nbreak\r", "line\\u000Abreak\\u000D")]
    [InlineData("rtl\u202Eoverride", "rtl\\u202Eoverride")]
    [InlineData("zero\u200Bwidth", "zero\\u200Bwidth")]
    [InlineData("joiner\u200Dkept", "joiner\u200Dkept")]
    [InlineData("emoji 🙂 kept", "emoji 🙂 kept")]
    public void ControlAndInvisibleCharactersAreShownAsTheirCodes(string text, string shown) =>
        Assert.Equal(shown, Terminal.Printable(text));

    [Fact]
    public void ALoneSurrogateIsShownAsItsCode() => Assert.Equal("lone \\uD800 surrogate", Terminal.Printable($"lone {(char)0xD800} surrogate"));

    [Theory]
    [InlineData("Done", "Done.")]
    [InlineData("Done.", "Done.")]
    [InlineData("Done!  ", "Done!")]
    public void ASentenceEndsWithOnePeriod(string text, string sentence) => Assert.Equal(sentence, Terminal.Sentence(text));
}
