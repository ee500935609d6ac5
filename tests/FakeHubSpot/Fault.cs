using System.Text;
using System.Text.Json.Nodes;
using Microsoft.AspNetCore.Http;

namespace FakeHubSpot;

// What the next request on a route meets instead of the normal
// answer. handle handles the request as HubSpot would (storing what
// it writes) and returns the answer; a fault calls it or not.
public sealed class Fault(Func<HttpContext, Func<Reply>, Task> act,
    string? correlationId = null)
{
    // The standalone fake's bad days (--fault NAME).
    public static Dictionary<string, (Route, Fault)> Presets { get; } = new()
    {
        ["rate-limit"] = (Route.CreateContact, RateLimited(
            retryAfterSeconds: 3)),
        ["daily-limit"] = (Route.CreateContact, RateLimited("DAILY")),
        ["edge-524-after-storing"] = (Route.CreateCompany,
            EdgePage(524, afterStoring: true)),
        ["lost-answer-after-storing"] = (Route.CreateCompany,
            LoseAnswerAfterStoring()),
    };

    // The one in the answer's body.
    public string? CorrelationId => correlationId;

    internal Task ActAsync(HttpContext context, Func<Reply> handle) =>
        act(context, handle);

    public static Fault Respond(int status, string body = "",
        params (string, string)[] headers) =>
        Answering(_ => new(status, body, headers.ToDictionary()));

    public static Fault DropConnection() => new((context, _) =>
        Abort(context));

    public static Fault LoseAnswerAfterStoring() => new((context, handle) =>
    {
        handle();
        return Abort(context);
    });

    // Half of the body its Content-Length announces, then the end.
    public static Fault CutBodyShort() => new(async (context, handle) =>
    {
        var (reply, response) = (handle(), context.Response);
        var body = Encoding.UTF8.GetBytes(reply.Body);
        (response.StatusCode, response.ContentType, response.ContentLength) =
            (reply.Status, "application/json", body.Length);
        await response.Body.WriteAsync(body.AsMemory(0, body.Length / 2));
        await response.Body.FlushAsync();
        await Abort(context);
    });

    // The wait is over when the caller goes, unless storesAnyway.
    public static Fault Slow(TimeSpan delay, bool storesAnyway = false) =>
        new(async (context, handle) =>
        {
            await Task.Delay(delay, storesAnyway ? default
                : context.RequestAborted);
            await FakeHubSpotServer.WriteAsync(context, handle());
        });

    public static Fault Reshaped(Func<JsonObject, JsonNode?> edit) =>
        Answering(handle =>
        {
            var answer = handle();
            var json = edit(JsonNode.Parse(answer.Body)!.AsObject());
            return answer with { Body = json?.ToJsonString() ?? "null" };
        });

    // HubSpot's 429: no category, errorType and policyName instead.
    public static Fault RateLimited(string policy = "TEN_SECONDLY_ROLLING",
        int? retryAfterSeconds = null) => Answering(_ => Reply.Of(429, new
        {
            status = "error",
            message = $"You have reached your {policy.ToLowerInvariant()}"
                + " limit.",
            errorType = "RATE_LIMIT",
            correlationId = Id(429),
            policyName = policy,
        }) with
        { Headers = RetryAfter(retryAfterSeconds) }, Id(429));

    public static Fault ServerError(int status = 503,
        int? retryAfterSeconds = null) => Answering(_ => Trouble(status) with
        {
            Headers = RetryAfter(retryAfterSeconds),
        }, Id(status));

    // Cloudflare's page from HubSpot's edge (520 to 524).
    public static Fault EdgePage(int status, bool afterStoring = false) =>
        Answering(handle =>
        {
            if (afterStoring)
            {
                handle();
            }

            var title = status == 524 ? "A timeout occurred" : "Unknown error";
            return new(status, $"<html><title>api.hubapi.com | {status}:"
                + $" {title}</title>cloudflare</html>", new()
                {
                    ["Server"] = "cloudflare",
                    ["Content-Type"] = "text/html; charset=UTF-8",
                });
        });

    // 200 with another status, and the error if given; not stored.
    public static Fault AssociationStatus(string status,
        string? error = null) => new((context, _) =>
        {
            var ids = context.Request.RouteValues;
            var json = JsonNode.Parse(FakeHubSpotServer.Associated($"{ids["id"]}",
                $"{ids["to"]}").Body)!;
            json["status"] = status;
            if (error is not null)
            {
                json["numErrors"] = 1;
                json["errors"] = new JsonArray(JsonNode.Parse(Reply.Error(200,
                    Id(200), "VALIDATION_ERROR", error).Body));
            }

            return FakeHubSpotServer.WriteAsync(context,
                new(200, json.ToJsonString()));
        });

    static Fault Answering(Func<Func<Reply>, Reply> answer, string? id = null)
        => new((context, handle) =>
            FakeHubSpotServer.WriteAsync(context, answer(handle)), id);

    static Reply Trouble(int status) => Reply.Error(status, Id(status),
        "INTERNAL_ERROR", $"Internal error {status}");

    static Dictionary<string, string>? RetryAfter(int? seconds) =>
        seconds is { } s ? new() { ["Retry-After"] = $"{s}" } : null;

    static Task Abort(HttpContext context)
    {
        context.Abort();
        return Task.CompletedTask;
    }

    static string Id(int status) => $"fa017000-0000-4000-8000-{status:D12}";
}
