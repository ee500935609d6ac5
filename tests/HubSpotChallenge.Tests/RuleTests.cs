using System.Net;
using System.Net.Http.Headers;

using Xunit;

namespace HubSpotChallenge.Tests;

/// <summary>The program's pure rules, row by row: the retry policy and the email made from the names.</summary>
public sealed class RuleTests
{
    [Theory]
    [InlineData(423, true, false)]
    [InlineData(429, true, false)]
    [InlineData(503, true, false)]
    [InlineData(521, true, false)]
    [InlineData(522, true, false)]
    [InlineData(523, true, false)]
    [InlineData(500, true, true)]
    [InlineData(502, true, true)]
    [InlineData(504, true, true)]
    [InlineData(520, true, true)]
    [InlineData(524, true, true)]
    [InlineData(501, false, true)]
    [InlineData(477, false, false)]
    [InlineData(400, false, false)]
    [InlineData(401, false, false)]
    [InlineData(403, false, false)]
    [InlineData(404, false, false)]
    [InlineData(409, false, false)]
    [InlineData(302, false, false)]
    public void EachStatusIsRetriedOrNotAndMayHaveHappenedOrNot(int status, bool tryAgain, bool mayHaveHappened)
    {
        var failure = RetryPolicy.Decide(Answer(status), attempt: 1);

        Assert.Equal((tryAgain, mayHaveHappened), (failure.TryAgain, failure.MayHaveHappened));
    }

    [Theory]
    [InlineData(HttpRequestError.ConnectionError, false)]
    [InlineData(HttpRequestError.NameResolutionError, false)]
    [InlineData(HttpRequestError.ResponseEnded, true)]
    [InlineData(HttpRequestError.Unknown, true)]
    public void NoAnswerIsRetriedAndMayHaveHappenedUnlessNoConnectionWasMade(HttpRequestError error,
        bool mayHaveHappened)
    {
        var failure = RetryPolicy.Decide(new("creating", 0, [], null, new HttpRequestException(error)), attempt: 1);

        Assert.Equal((true, mayHaveHappened), (failure.TryAgain, failure.MayHaveHappened));
    }

    [Fact]
    public void ATimeoutIsRetriedAndMayHaveHappened()
    {
        var failure = RetryPolicy.Decide(new("creating", 0, [], null, new TaskCanceledException()), attempt: 1);

        Assert.Equal((true, true), (failure.TryAgain, failure.MayHaveHappened));
    }

    [Theory]
    [InlineData(429, "{\"message\":\"You have reached your ten_secondly_rolling limit.\"}", 10, 10)]
    [InlineData(429, "{\"message\":\"You have reached your secondly limit.\"}", 1, 1)]
    [InlineData(423, "", 2, 2)]
    [InlineData(503, "", 0.8, 1.2)]
    public void WithoutRetryAfterTheWaitIsTheLimitsWindowElseABackoff(int status, string body, double least,
        double most)
    {
        var failure = RetryPolicy.Decide(Answer(status, body), attempt: 1);

        Assert.InRange(failure.Wait.TotalSeconds, least, most);
    }

    [Theory]
    [InlineData(1, 0.8, 1.2)]
    [InlineData(2, 1.6, 2.4)]
    [InlineData(3, 3.2, 4.8)]
    public void TheBackoffDoublesWithJitter(int attempt, double least, double most) =>
        Assert.InRange(RetryPolicy.Decide(Answer(500), attempt).Wait.TotalSeconds, least, most);

    [Theory]
    [InlineData(503, "")]
    [InlineData(423, "")]
    [InlineData(429, "")]
    [InlineData(429, "{\"message\":\"You have reached your secondly limit.\"}")]
    public void RetryAfterDecidesTheWaitUpToAMinuteAndLongerIsNotWaited(int status, string body)
    {
        Assert.Equal(TimeSpan.FromSeconds(7), RetryPolicy.Decide(Answer(status, body, 7), attempt: 1).Wait);
        Assert.True(RetryPolicy.Decide(Answer(status, body, 60), attempt: 1).TryAgain);
        Assert.False(RetryPolicy.Decide(Answer(status, body, 61), attempt: 1).TryAgain);
    }

    [Fact]
    public void NoAnswerWithin30SecondsIsATimeout() => Assert.Equal(TimeSpan.FromSeconds(30), RetryPolicy.Timeout);

    [Theory]
    [InlineData("{\"errors\":[{\"context\":{\"requiredGranularScopes\":[\"a.read\"]}},{\"context\":{\"requiredScopes\":[\"b\"]}}]}",
        "a.read, b")]
    [InlineData("{\"context\":{\"missingScopes\":[\"c.write\"]}}", "c.write")]
    [InlineData("{\"category\":\"MISSING_SCOPES\"}", "crm.objects.contacts.read, crm.objects.contacts.write, " +
        "crm.objects.companies.read and crm.objects.companies.write")]
    public void A403NamesTheScopesHubSpotListsWhereverItPutsThemElseTheFourTheProgramNeeds(string body, string scopes) =>
        Assert.Equal(scopes, Answer(403, body).Scopes);

    [Fact]
    public void TheFourthAttemptIsTheLast()
    {
        Assert.True(RetryPolicy.Decide(Answer(503), attempt: 3).TryAgain);
        Assert.False(RetryPolicy.Decide(Answer(503), attempt: 4).TryAgain);
    }

    [Fact]
    public void TheDailyLimitIsNotRetried() =>
        Assert.False(RetryPolicy.Decide(Answer(429, "{\"policyName\":\"DAILY\"}"), attempt: 1).TryAgain);

    [Theory]
    [InlineData("Ada", "Lovelace", "ada.lovelace@example.com")]
    [InlineData("Jürgen", "Weiß", "jurgen.weiss@example.com")]
    [InlineData("İsmail", "Yılmaz", "ismail.yilmaz@example.com")]
    [InlineData("Łukasz", "Ødegård-Weiß", "lukasz.odegardweiss@example.com")]
    [InlineData("Æbeløe", "Þórsson", "aebeloe.thorsson@example.com")]
    [InlineData("Đorđe", "Œuvray", "dorde.oeuvray@example.com")]
    [InlineData("Nguyễn", "Văn An", "nguyen.vanan@example.com")]
    [InlineData("Mary-Ann", "O'Brien", "maryann.obrien@example.com")]
    [InlineData("明", "王", "contact@example.com")]
    [InlineData("Ada", "李", "ada@example.com")]
    public void TheEmailIsTheNamesFoldedToAscii(string firstName, string lastName, string email) =>
        Assert.Equal(email, Settings.EmailFromNames(firstName, lastName));

    static Answer Answer(int status, string body = "", int? retryAfter = null)
    {
        using var response = new HttpResponseMessage((HttpStatusCode)status);
        if (retryAfter is { } seconds)
        {
            response.Headers.RetryAfter = new RetryConditionHeaderValue(TimeSpan.FromSeconds(seconds));
        }

        return new("creating", status, System.Text.Encoding.UTF8.GetBytes(body), response.Headers, null);
    }
}
