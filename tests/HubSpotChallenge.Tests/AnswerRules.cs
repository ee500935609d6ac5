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
        { "{}", "application/json", "no 'id'" },
        { """{"id":null}""", "application/json", "'id' is Null, not String" },
        { """{"id":""}""", "application/json", "an id that is not decimal digits" },
        { """{"id":"77\nCompany 1 created: fake"}""", "application/json", "an id that is not decimal digits" },
        { """{"id":".."}""", "application/json", "an id that is not decimal digits" },
        { """{"id":5}""", "application/json", "'id' is Number, not String" },
        { "null", "application/json", "Null where an object belongs" },
        { "[]", "application/json", "Array where an object belongs" },
        { "{\"id\":", "application/json", "application/json, not JSON" },
        { "{\"id\":\"1\"} trailing", "application/json", "application/json, not JSON" },
        { "<html></html>", "text/html", "text/html, not JSON" },
        { "", null, "no content type, not JSON" },
    };

    [Theory]
    [MemberData(nameof(UnreadableRecords))]
    public void ARecordWithoutADecimalIdIsOneClearFailure(string body, string? mediaType, string detail)
    {
        var e = Assert.Throws<HubSpotException>(() => Answer(201, body, mediaType).RecordId());

        Assert.StartsWith($"HubSpot answered 201 while creating the contact without what the program needs ({detail}): check that HUBSPOT_BASE_URL", e.Message, StringComparison.Ordinal);
    }

    public static TheoryData<string, string> UnreadableSearches => new()
    {
        { "{}", "no 'results'" },
        { """{"total":0,"results":null}""", "'results' is Null, not Array" },
        { """{"total":1,"results":[null]}""", "Null where an object belongs" },
        { """{"total":1,"results":[{"properties":{"domain":"x.com"}}]}""", "no 'id'" },
        { """{"total":1,"results":[{"id":"7","createdAt":"2024-01-01T00:00:00Z","properties":{"name":"X"}}]}""", "a search hit without its 'domain'" },
        { """{"total":1,"results":[{"id":"7","properties":{"domain":"x.com"}}]}""", "no 'createdAt'" },
        { """{"total":1,"results":[{"id":"7","createdAt":"yesterday","properties":{"domain":"x.com"}}]}""", "a 'createdAt' that is not a date" },
        { """{"total":1,"results":[{"id":"7","createdAt":"2024-01-01T00:00:00Z"}]}""", "no 'properties'" },
        { """{"total":1,"results":[{"id":"7","createdAt":"2024-01-01T00:00:00Z","properties":{"domain":7}}]}""", "'domain' is Number, not String" },
        { """{"status":"PENDING","results":[]}""", "a status other than COMPLETE" },
    };

    [Theory]
    [MemberData(nameof(UnreadableSearches))]
    public void AnUnreadableSearchIsAFailureNotNoCompany(string body, string detail)
    {
        var e = Assert.Throws<HubSpotException>(() => Answer(200, body).OldestOfOurs(domainRequired: true));

        Assert.Contains($"({detail})", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void TheOldestCompanyWithOurDomainIsChosenAndOtherDomainsAreSkipped()
    {
        var answer = Answer(200, """
            {"status":"COMPLETE","results":[
              {"id":"3","createdAt":"2024-01-01T00:00:00Z","properties":{"domain":"coding-challenge-company.com.example.org"}},
              {"id":"2","createdAt":"2025-01-01T00:00:00Z","properties":{"domain":" Coding-Challenge-Company.com "}},
              {"id":"1","createdAt":"2024-06-01T00:00:00Z","properties":{"domain":"coding-challenge-company.com"}},
              {"id":"4","createdAt":"2020-06-01T00:00:00Z","properties":{"domain":null}},
              {"id":"5","createdAt":"2020-06-01T00:00:00Z","properties":{}}]}
            """);

        Assert.Equal("1", answer.OldestOfOurs(domainRequired: false));
    }

    public static TheoryData<string, string> UnreadableContacts => new()
    {
        { """{"id":"9","associations":{"companies":null}}""", "'companies' is Null, not Object" },
        { """{"id":"9","associations":{"companies":[{"id":"5"}]}}""", "'companies' is Array, not Object" },
        { """{"id":"9","associations":null}""", "'associations' is Null, not Object" },
        { """{"id":"9","associations":{"companies":{}}}""", "no 'results'" },
        { """{"id":"9","associations":{"companies":{"results":[{"id":"5x"}]}}}""", "an id that is not decimal digits" },
    };

    [Theory]
    [MemberData(nameof(UnreadableContacts))]
    public void AContactsCompaniesOfTheWrongShapeAreAFailureNotNone(string body, string detail)
    {
        var e = Assert.Throws<HubSpotException>(() => Answer(200, body).CompanyIds());

        Assert.Contains($"({detail})", e.Message, StringComparison.Ordinal);
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
        Assert.Empty(Answer(200, """{"id":"9","associations":{}}""").CompanyIds());
    }

    [Fact]
    public void AnAnswerIsReadAsUtf8WhateverItsCharsetSays() =>
        Assert.Equal("7", Answer(200, """{"id":"7","properties":{"firstname":"Zoë"}}""", "application/json; charset=nope").RecordId());

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
    };

    [Theory]
    [MemberData(nameof(Wordings))]
    public void EachFailureIsOneLineThatNamesTheCauseAndTheFix(int status, string body, string? mediaType, string expected)
    {
        var answer = Answer(status, body, mediaType);
        var failure = new Failure(Trouble.Answered, $"HubSpot answered {answer.Label}", answer);

        var text = Wording.Explain("creating the contact", failure, RetryPolicy.Decide(failure, 4), 1, "api.hubapi.com");

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
