using Xunit;

namespace HubSpotChallenge.Tests;

/// <summary>How an answer is read: a 2xx strictly (absent is a fact, malformed is unusable), an error for its words.</summary>
public sealed class AnswerRules
{
    static Answer Answer(int status, string body, string? mediaType = "application/json", params (string, string)[] headers) =>
        RetryPolicyRules.Answer(status, body, mediaType, headers);

    const string EdgePage = "<!DOCTYPE html><html><head><title>api.hubapi.com | 524: A timeout occurred</title></head><body>Cloudflare</body></html>";

    public static TheoryData<string, string?, string> UnreadableRecords => new()
    {
        { "{}", "application/json", "application/json, nothing usable at $" },
        { """{"id":null}""", "application/json", "nothing usable at $.id" },
        { """{"id":""}""", "application/json", "nothing usable at $.id" },
        { """{"id":"77\nCompany 1 created: fake"}""", "application/json", "nothing usable at $.id" },
        { """{"id":".."}""", "application/json", "nothing usable at $.id" },
        { """{"id":"."}""", "application/json", "nothing usable at $.id" },
        { """{"id":"12/../../associations"}""", "application/json", "nothing usable at $.id" },
        { """{"id":"-5"}""", "application/json", "nothing usable at $.id" },
        { """{"id":5}""", "application/json", "nothing usable at $.id" },
        { """{"id":"1","id":"2"}""", "application/json", "nothing usable at $.id" },
        { """{"id":"\uD800"}""", "application/json", "nothing usable at $.id" },
        { "null", "application/json", "nothing usable at $" },
        { "[]", "application/json", "nothing usable at $" },
        { "{\"id\":", "application/json", "nothing usable at $.id" },
        { "{\"id\":\"1\"} trailing", "application/json", "nothing usable at $" },
        { "<html></html>", "text/html", "text/html, nothing usable at $" },
        { "", null, "no content type, nothing usable at $" },
    };

    [Theory]
    [MemberData(nameof(UnreadableRecords))]
    public void ARecordWithoutADecimalIdIsOneClearFailure(string body, string? mediaType, string detail)
    {
        var e = Assert.Throws<HubSpotException>(() => Answer(201, body, mediaType).Read(HubSpotJson.Default.Created));

        Assert.StartsWith("HubSpot answered 201 while creating the contact without what the program needs (", e.Message, StringComparison.Ordinal);
        Assert.Contains($"{detail}): check that HUBSPOT_BASE_URL", e.Message, StringComparison.Ordinal);
    }

    static string? Oldest(string body, bool domainRequired)
    {
        var answer = Answer(200, body);
        return answer.Read(HubSpotJson.Default.Companies).OldestOfOurs(answer, domainRequired ? null : ["1", "2", "3", "4", "5", "6"]);
    }

    public static TheoryData<string, string> UnreadableSearches => new()
    {
        { "{}", "nothing usable at $" },
        { """{"total":0,"results":null}""", "nothing usable at $.results" },
        { """{"total":1,"results":[null]}""", "nothing usable at $" },
        { """{"total":1,"results":[{"properties":{"domain":"x.com"}}]}""", "nothing usable at $.results[0]" },
        { """{"total":1,"results":[{"id":"7","createdAt":"2024-01-01T00:00:00Z","properties":{"name":"X"}}]}""", "a search hit without its domain" },
        { """{"total":1,"results":[{"id":"7","properties":{"domain":"x.com"}}]}""", "nothing usable at $.results[0]" },
        { """{"total":1,"results":[{"id":"7","createdAt":"yesterday","properties":{"domain":"x.com"}}]}""", "nothing usable at $.results[0].createdAt" },
        { """{"total":1,"results":[{"id":"7","createdAt":"2024-01-01T00:00:00Z"}]}""", "nothing usable at $.results[0]" },
        { """{"total":1,"results":[{"id":"7","createdAt":"2024-01-01T00:00:00Z","properties":{"domain":7}}]}""", "nothing usable at $.results[0].properties.domain" },
        { """{"status":"PENDING","results":[]}""", "a status other than COMPLETE" },
        { """{"status":"COMPLETE","results":[],"errors":[{"category":"INTERNAL_ERROR"}]}""", "a company it could not read" },
        { """{"status":"COMPLETE","results":[],"errors":[null]}""", "a company it could not read" },
    };

    [Theory]
    [InlineData("""{"status":"COMPLETE","results":[]}""")]
    [InlineData("""{"status":"COMPLETE","results":[],"errors":[{"category":"OBJECT_NOT_FOUND","context":{"ids":["8"]}}]}""")]
    [InlineData("""{"status":"COMPLETE","results":[],"errors":[{"category":"OBJECT_NOT_FOUND"}]}""")]
    public void ABatchReadThatLeavesOutAnIdItWasAskedForIsAFailureNotNone(string body)
    {
        var answer = Answer(200, body);

        var e = Assert.Throws<HubSpotException>(() => answer.Read(HubSpotJson.Default.Companies).OldestOfOurs(answer, ["7"]));

        Assert.Contains("(a company it could not read)", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void ABatchReadThatSaysAnIdIsGoneFindsNoCompany()
    {
        var answer = Answer(200, """{"status":"COMPLETE","results":[],"errors":[{"category":"OBJECT_NOT_FOUND","context":{"ids":["7"]}}]}""");

        Assert.Null(answer.Read(HubSpotJson.Default.Companies).OldestOfOurs(answer, ["7"]));
    }

    [Theory]
    [MemberData(nameof(UnreadableSearches))]
    public void AnUnreadableSearchIsAFailureNotNoCompany(string body, string detail)
    {
        var e = Assert.Throws<HubSpotException>(() => Oldest(body, domainRequired: true));

        Assert.Contains($"{detail})", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void TheOldestCompanyWithOurDomainIsChosenAndOtherDomainsAndGoneOnesAreSkipped()
    {
        var oldest = Oldest("""
            {"status":"COMPLETE","results":[
              {"id":"3","createdAt":"2024-01-01T00:00:00Z","properties":{"domain":"coding-challenge-company.com.example.org"}},
              {"id":"2","createdAt":"2025-01-01T00:00:00Z","properties":{"domain":" Coding-Challenge-Company.com "}},
              {"id":"1","createdAt":"2024-06-01T00:00:00Z","properties":{"domain":"coding-challenge-company.com"}},
              {"id":"4","createdAt":"2020-06-01T00:00:00Z","properties":{"domain":null}},
              {"id":"5","createdAt":"2020-06-01T00:00:00Z","properties":{}}],
             "numErrors":1,"errors":[{"status":"error","category":"OBJECT_NOT_FOUND","context":{"ids":["6"]}}]}
            """, domainRequired: false);

        Assert.Equal("1", oldest);
    }

    static List<string> CompanyIds(string body) => Answer(200, body).Read(HubSpotJson.Default.Contact).CompanyIds();

    public static TheoryData<string, string> UnreadableContacts => new()
    {
        { """{"id":"9","associations":{"companies":null}}""", "nothing usable at $.associations.companies" },
        { """{"id":"9","associations":{"companies":[{"id":"5"}]}}""", "nothing usable at $.associations.companies" },
        { """{"id":"9","associations":null}""", "nothing usable at $.associations" },
        { """{"id":"9","associations":{"companies":{}}}""", "nothing usable at $.associations.companies" },
        { """{"id":"9","associations":{"companies":{"results":[null]}}}""", "nothing usable at $.associations.companies" },
        { """{"id":"9","associations":{"companies":{"results":[{"id":"5x"}]}}}""", "nothing usable at $.associations.companies.results[0].id" },
    };

    [Theory]
    [MemberData(nameof(UnreadableContacts))]
    public void AContactsCompaniesOfTheWrongShapeAreAFailureNotNone(string body, string detail)
    {
        var e = Assert.Throws<HubSpotException>(() => CompanyIds(body));

        Assert.Contains($"{detail})", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void AContactsCompaniesAreListedOnceEachAndNoneWhenTheKeyIsAbsent()
    {
        var linked = CompanyIds("""
            {"id":"9","associations":{"companies":{"results":[
              {"id":"5","type":"contact_to_company"},{"id":"5","type":"contact_to_company_unlabeled"},{"id":"6","type":"contact_to_company_unlabeled"}]}}}
            """);

        Assert.Equal(["5", "6"], linked);
        Assert.Empty(CompanyIds("""{"id":"9","properties":{}}"""));
        Assert.Empty(CompanyIds("""{"id":"9","associations":{}}"""));
    }

    [Fact]
    public void AnAnswerIsReadAsUtf8WhateverItsCharsetSays() =>
        Assert.Equal("7", Answer(200, """{"id":"7","properties":{"firstname":"Zoë"}}""", "application/json; charset=nope").Read(HubSpotJson.Default.Created).Id);

    public static TheoryData<int, string, string?, string> Wordings => new()
    {
        { 401, """{"message":"Authentication credentials not found.","category":"INVALID_AUTHENTICATION","correlationId":"c-401"}""", "application/json",
            "HubSpot answered 401 INVALID_AUTHENTICATION while creating the contact: Authentication credentials not found. Check HUBSPOT_KEY: it may be expired, revoked, rotated, or another account's. (correlation id c-401)" },
        { 403, """{"message":"missing","category":"MISSING_SCOPES","errors":[{"message":"x","context":{"requiredScopes":["crm.objects.contacts.write"]}}]}""", "application/json",
            "HubSpot answered 403 MISSING_SCOPES while creating the contact: missing. Grant the token crm.objects.contacts.read, crm.objects.contacts.write, crm.objects.companies.read and crm.objects.companies.write, then run again." },
        { 403, """{"message":"missing","context":{"requiredGranularScopes":["crm.objects.contacts.write"]},"errors":[null]}""", "application/json",
            "HubSpot answered 403 while creating the contact: missing. Check that HUBSPOT_KEY belongs" },
        { 403, """{"message":"This portal is on a plan without this API.","category":"FORBIDDEN"}""", "application/json",
            "HubSpot answered 403 FORBIDDEN while creating the contact: This portal is on a plan without this API. Check that HUBSPOT_KEY belongs" },
        { 400, """{"message":"Property values were not valid: [{\"isValid\":false,\"message\":\"Email address x is invalid\"}]","category":"VALIDATION_ERROR"}""", "application/json",
            "HubSpot answered 400 VALIDATION_ERROR while creating the contact: Property values were not valid: [{\"isValid\":false,\"message\":\"Email address x is invalid\"}]. Correct what it names" },
        { 404, "", null, "HubSpot answered 404 while creating the contact: (no message). Check HUBSPOT_BASE_URL" },
        { 418, "<html><h1>I'm a teapot</h1></html>", "text/html", "HubSpot answered 418 while creating the contact: (a text/html page). That is not HubSpot's JSON: check HUBSPOT_BASE_URL." },
        { 524, EdgePage, "text/html", "HubSpot answered 524 while creating the contact: (a text/html page). Run again later." },
        { 429, """{"message":"You have reached your daily limit.","policyName":"DAILY"}""", "application/json",
            "HubSpot answered 429 DAILY while creating the contact: You have reached your daily limit. The daily limit resets at midnight in the account's time zone." },
        { 477, """{"message":"This portal is being migrated."}""", "application/json", "HubSpot answered 477 while creating the contact: This portal is being migrated. The account is being migrated: run again later." },
        { 307, "", null, "HubSpot answered 307 while creating the contact: (no message). HubSpot's API never redirects: check HUBSPOT_BASE_URL." },
        { 405, """{"message":"Method not allowed","category":"METHOD"}""", "application/json", "HubSpot answered 405 METHOD while creating the contact: Method not allowed. Check HUBSPOT_BASE_URL" },
        { 500, """{"message":"internal","correlationId":"\ud800","category":"INTERNAL_ERROR"}""", "application/json", "HubSpot answered 500 while creating the contact: (a application/json page)." },
    };

    [Theory]
    [MemberData(nameof(Wordings))]
    public void EachFailureIsOneLineThatNamesTheCauseAndTheFix(int status, string body, string? mediaType, string expected)
    {
        var answer = Answer(status, body, mediaType);

        var text = Wording.Explain("creating the contact", RetryPolicy.Decide(answer, null, 4), 1, "api.hubapi.com");

        Assert.Contains(expected, text, StringComparison.Ordinal);
        Assert.DoesNotContain("..", text, StringComparison.Ordinal);
        Assert.DoesNotContain('\n', text);
    }

    [Fact]
    public void TheCorrelationIdComesFromTheBodyOrElseTheHeader()
    {
        Assert.Equal(" (correlation id c-body)", Answer(500, """{"correlationId":"c-body"}""").Correlation);
        Assert.Equal(" (correlation id c-header)", Answer(500, "", headers: ("X-HubSpot-Correlation-Id", "c-header")).Correlation);
    }
}
