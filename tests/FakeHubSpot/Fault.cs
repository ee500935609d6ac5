using System.Text.Json;

namespace FakeHubSpot;

// What the next request on a route meets instead of HubSpot's usual answer: after DelayMs, an answer of Status (0:
// the usual one), or a dropped connection. Stores: HubSpot does the work first, whatever the caller then sees.
public sealed record Fault(int Status = 0, string Body = "", bool Stores = false, bool Drops = false, int DelayMs = 0,
    Dictionary<string, string>? Headers = null)
{
    public const string CorrelationId = "fa017000-0000-4000-8000-000000000001";

    // The standalone fake's bad days (--fault NAME), as the README names them.
    public static Dictionary<string, (Route Route, Fault Fault)> Presets { get; } = new()
    {
        ["rate-limit"] = (Route.CreateContact, RateLimit("TEN_SECONDLY_ROLLING", retryAfter: 3)),
        ["daily-limit"] = (Route.CreateContact, RateLimit("DAILY")),
        ["edge-524-after-storing"] = (Route.CreateCompany, Edge(524) with { Stores = true }),
        ["lost-answer-after-storing"] = (Route.CreateCompany, new(Stores: true, Drops: true)),
    };

    public static Fault Error(int status, string category, string message) => new(status,
        JsonSerializer.Serialize(new { status = "error", message, correlationId = CorrelationId, category }));

    // HubSpot's 429: no category; errorType and policyName instead.
    public static Fault RateLimit(string policy, int? retryAfter = null) => new(429, $$"""
        {"status":"error","message":"You have reached your {{policy.ToLowerInvariant()}} limit.","errorType":"RATE_LIMIT","correlationId":"{{CorrelationId}}","policyName":"{{policy}}"}
        """, Headers: retryAfter is { } s ? new() { ["Retry-After"] = $"{s}" } : null);

    // Cloudflare's page from HubSpot's edge (520 to 524).
    public static Fault Edge(int status) => new(status, $"<title>api.hubapi.com | {status}: A timeout occurred</title>",
        Headers: new() { ["Content-Type"] = "text/html; charset=UTF-8", ["Server"] = "cloudflare" });
}
