using System.Net;
using System.Text;

using Xunit;

namespace HubSpotChallenge.Tests;

/// <summary>The retry policy as a table: for each failure, try again?, after how long?, may HubSpot have carried it out?</summary>
public sealed class RetryPolicyRules
{
    internal static Answer Answer(int status, string body = "", string? mediaType = "application/json", params (string Name, string Value)[] headers)
    {
        using var message = new HttpResponseMessage((HttpStatusCode)status);
        foreach (var (name, value) in headers)
        {
            message.Headers.TryAddWithoutValidation(name, value);
        }

        return new Answer("creating the contact", status, Encoding.UTF8.GetBytes(body), mediaType, message.Headers);
    }

    static Decision Decide(int status, string body = "{}", string? retryAfter = null, int attempt = 1)
    {
        (string, string)[] headers = retryAfter is null ? [] : [("Retry-After", retryAfter)];
        var answer = Answer(status, body, body.StartsWith('<') ? "text/html" : "application/json", headers);
        return RetryPolicy.Decide(answer, null, attempt);
    }

    static string RateLimit(string policy) => $$"""{"status":"error","message":"You have reached your limit.","errorType":"RATE_LIMIT","policyName":"{{policy}}"}""";

    const string EdgePage = "<!DOCTYPE html><html><head><title>api.hubapi.com | 524: A timeout occurred</title></head><body>Cloudflare</body></html>";

    public static TheoryData<int, string, string?, bool, double?, bool> Statuses => new()
    {
        // status, body, Retry-After, try again, wait in seconds (null: about 1 s, with jitter), may have happened
        { 429, RateLimit("TEN_SECONDLY_ROLLING"), null, true, 10, false },
        { 429, RateLimit("TEN_SECONDLY_ROLLING"), "3", true, 3, false },
        { 429, RateLimit("SECONDLY"), null, true, 1, false },
        { 429, RateLimit("DAILY"), null, false, 0, false },
        { 423, "{}", null, true, null, false },
        { 423, "{}", "5", true, 5, false },
        { 503, "{}", null, true, null, false },
        { 503, "{}", "7", true, 7, false },
        { 521, EdgePage, null, true, null, false },
        { 522, EdgePage, null, true, null, false },
        { 523, EdgePage, null, true, null, false },
        { 500, "{}", null, true, null, true },
        // An error whose text is not valid (a lone surrogate) has no words: its status decides.
        { 500, """{"message":"internal","correlationId":"\ud800","category":"INTERNAL_ERROR"}""", null, true, null, true },
        { 502, "<html>Bad gateway</html>", null, true, null, true },
        { 504, "", null, true, null, true },
        { 520, EdgePage, null, true, null, true },
        { 524, EdgePage, null, true, null, true },
        { 501, "{}", null, false, 0, true },
        { 400, "{}", null, false, 0, false },
        { 401, "{}", "5", false, 0, false },
        { 403, "{}", null, false, 0, false },
        { 404, "", null, false, 0, false },
        { 409, "{}", null, false, 0, false },
        { 477, "{}", "7200", false, 0, false },
        { 307, "", null, false, 0, false },
    };

    [Theory]
    [MemberData(nameof(Statuses))]
    public void EachStatusGetsOneDecision(int status, string body, string? retryAfter, bool tryAgain, double? waitSeconds, bool mayHaveHappened)
    {
        var decision = Decide(status, body, retryAfter);

        Assert.Equal(tryAgain, decision.TryAgain);
        Assert.Equal(mayHaveHappened, decision.MayHaveHappened);
        if (waitSeconds is { } seconds)
        {
            Assert.Equal(seconds, decision.Wait.TotalSeconds);
        }
        else
        {
            Assert.InRange(decision.Wait.TotalSeconds, 0.8, 1.2);
        }
    }

    public static TheoryData<string, bool, bool, string> WithoutAnAnswer => new()
    {
        // what went wrong, try again, may have happened, why
        { "refused", true, false, "the connection was refused or failed" },
        { "ended", true, true, "the connection closed before the whole answer arrived" },
        { "cut", true, true, "the connection closed before the whole answer arrived" },
        { "timeout", true, true, "no answer within 30 s" },
        { "cancelled", false, true, "cancelled" },
        { "tls", false, true, "The SSL connection could not be established" },
    };

    [Theory]
    [MemberData(nameof(WithoutAnAnswer))]
    public void EachFailureWithoutAnAnswerGetsOneDecision(string what, bool tryAgain, bool mayHaveHappened, string reason)
    {
        Exception error = what switch
        {
            "refused" => new HttpRequestException(HttpRequestError.ConnectionError),
            "ended" => new HttpRequestException(HttpRequestError.ResponseEnded),
            "cut" => new HttpRequestException(HttpRequestError.Unknown, "x", new IOException("reset")),
            "timeout" => new TaskCanceledException("x", new TimeoutException()),
            "cancelled" => new OperationCanceledException(),
            _ => new HttpRequestException(HttpRequestError.SecureConnectionError, "The SSL connection could not be established."),
        };

        var decision = RetryPolicy.Decide(null, error, attempt: 1);

        Assert.Equal((tryAgain, mayHaveHappened, reason), (decision.TryAgain, decision.MayHaveHappened, decision.Reason));
    }

    [Fact]
    public void TheClientTimesOutTheWholeExchangeAfter30Seconds() => Assert.Equal(30, PacedHubSpotClient.TimeoutSeconds);

    [Theory]
    [InlineData(1, 0.8, 1.2)]
    [InlineData(2, 1.6, 2.4)]
    [InlineData(3, 3.2, 4.8)]
    public void TheBackoffDoublesWithJitter(int attempt, double shortest, double longest) =>
        Assert.InRange(Decide(500, attempt: attempt).Wait.TotalSeconds, shortest, longest);

    [Fact]
    public void TheFourthAttemptIsTheLast() => Assert.False(Decide(503, attempt: 4).TryAgain);

    [Theory]
    [InlineData("61")]
    [InlineData("3600")]
    [InlineData("Fri, 31 Dec 9999 23:59:59 GMT")]
    public void ARetryAfterOverAMinuteIsNotSatThrough(string retryAfter)
    {
        var decision = Decide(503, retryAfter: retryAfter);

        Assert.False(decision.TryAgain);
        Assert.True(decision.TooLong);
    }

    [Theory]
    [InlineData("99999999999999999999")]
    [InlineData("soon")]
    [InlineData("-5")]
    public void ARetryAfterThatCannotBeReadIsLeftOutAndTheUsualBackoffApplies(string retryAfter)
    {
        var decision = Decide(503, retryAfter: retryAfter);

        Assert.True(decision.TryAgain);
        Assert.InRange(decision.Wait.TotalSeconds, 0.8, 1.2);
    }

    [Fact]
    public void ARetryAfterDateInThePastMeansNow() => Assert.Equal(TimeSpan.Zero, Decide(503, retryAfter: "Mon, 01 Jan 2024 00:00:00 GMT").Wait);
}
