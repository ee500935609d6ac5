using System.Collections.Concurrent;
using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using System.Text.RegularExpressions;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Logging;

namespace FakeHubSpot;

/// <summary>The HubSpot calls the fake knows; faults are injected per route.</summary>
public enum Route
{
    CreateContact,
    ReadContact,
    SearchCompanies,
    CreateCompany,
    ReadCompanies,
    AssociateDefault,
}

/// <summary>One request as the fake received it.</summary>
public sealed record RecordedRequest(
    string Method,
    string PathBase,
    string Path,
    string Query,
    IReadOnlyDictionary<string, string> Headers,
    string Body,
    DateTimeOffset ArrivedAt,
    TimeSpan ArrivedAfterStart,
    Route? Route)
{
    public string? Header(string name) => Headers.TryGetValue(name, out var value) ? value : null;
    public JsonNode? Json => Body.Length == 0 ? null : JsonNode.Parse(Body);
}

/// <summary>A stored CRM record. Search sees it only from <paramref name="IndexedAt"/> on (HubSpot's index lags writes).</summary>
public sealed record FakeRecord(string Id, IReadOnlyDictionary<string, string> Properties, DateTimeOffset CreatedAt, DateTimeOffset IndexedAt)
{
    public string this[string property] => Properties.TryGetValue(property, out var value) ? value : "";
}

/// <summary>What the next request on a route meets instead of (or on top of) normal handling.</summary>
public sealed record Fault
{
    public int? Status { get; init; }
    public string Body { get; init; } = "";
    public IReadOnlyDictionary<string, string> Headers { get; init; } = new Dictionary<string, string>();
    public TimeSpan Delay { get; init; }
    public bool DropConnection { get; init; }
    public bool LoseAnswer { get; init; }

    /// <summary>Handle the request normally (store what it writes), then change the JSON answer.</summary>
    public Func<JsonObject, JsonNode?>? Reshape { get; init; }

    /// <summary>Answer 200 with a JSON body of this many bytes, streamed (for answers too large to read).</summary>
    public long OversizedBytes { get; init; }

    /// <summary>Whether the oversized answer announces its length (Content-Length) or is sent chunked.</summary>
    public bool AnnounceLength { get; init; }

    /// <summary>The correlation id in the body of a named fault, for tests to look for in the app's output.</summary>
    public string? CorrelationId { get; init; }

    /// <summary>Handle the request normally (store what it writes) before answering with <see cref="Status"/>.</summary>
    public bool StoreFirst { get; init; }

    /// <summary>Answer with <see cref="Status"/> at once, and store what the request writes this much later.</summary>
    public TimeSpan StoreAfter { get; init; }

    /// <summary>Handle the request normally, then send only half of the answer's body and close the connection.</summary>
    public bool CutShort { get; init; }

    /// <summary>Answer with this status, body and headers; nothing is stored.</summary>
    public static Fault Respond(int status, string body = "", params (string Name, string Value)[] headers) =>
        new() { Status = status, Body = body, Headers = headers.ToDictionary(h => h.Name, h => h.Value) };

    /// <summary>Close the connection without answering; nothing is stored.</summary>
    public static Fault Drop() => new() { DropConnection = true };

    /// <summary>Handle the request normally (store it), then close the connection without answering.</summary>
    public static Fault LoseTheAnswer() => new() { LoseAnswer = true };

    /// <summary>Handle the request normally (store it), then send half of the body its Content-Length announces, and close.</summary>
    public static Fault CutBodyShort() => new() { CutShort = true };

    /// <summary>
    /// An HTML error page from Cloudflare's edge in front of HubSpot (520 to 524); <paramref name="afterStoring"/>: HubSpot
    /// stored the record before the edge gave up (a 524 means the origin was still working).
    /// </summary>
    public static Fault EdgePage(int status, bool afterStoring = false) => Respond(status,
        $"<!DOCTYPE html><html><head><title>api.hubapi.com | {status}: {(status == 524 ? "A timeout occurred" : "Web server is returning an unknown error")}</title></head><body>cloudflare</body></html>",
        ("Content-Type", "text/html; charset=UTF-8"), ("Server", "cloudflare")) with { StoreFirst = afterStoring };

    /// <summary>HubSpot answers <paramref name="status"/> (its JSON error) at once, but stores the record <paramref name="after"/> later.</summary>
    public static Fault LateStore(int status, TimeSpan after) => ServerError(status) with { StoreAfter = after };

    /// <summary>Wait, then handle the request normally.</summary>
    public static Fault Slow(TimeSpan delay) => new() { Delay = delay };

    /// <summary>Handle the request normally, then answer with <paramref name="edit"/>'s version of the JSON.</summary>
    public static Fault Reshaped(Func<JsonObject, JsonNode?> edit) => new() { Reshape = edit };

    /// <summary>A 200 whose JSON body is <paramref name="bytes"/> long, streamed; nothing is stored.</summary>
    public static Fault Oversized(long bytes, bool announceLength) => new() { OversizedBytes = bytes, AnnounceLength = announceLength };

    /// <summary>HubSpot's 429, as observed: no category, <c>errorType</c> and <c>policyName</c> instead.</summary>
    public static Fault RateLimited(string policy = "TEN_SECONDLY_ROLLING", int? retryAfterSeconds = null, int? intervalMilliseconds = null)
    {
        var correlationId = NamedCorrelationId(429);
        List<(string, string)> headers = [];
        if (retryAfterSeconds is { } seconds)
        {
            headers.Add(("Retry-After", seconds.ToString(CultureInfo.InvariantCulture)));
        }

        if (intervalMilliseconds is { } ms)
        {
            headers.Add(("X-HubSpot-RateLimit-Interval-Milliseconds", ms.ToString(CultureInfo.InvariantCulture)));
        }

        return Respond(429, RateLimitBody(correlationId, policy), [.. headers]) with { CorrelationId = correlationId };
    }

    /// <summary>HubSpot's own trouble (500, 502, 503, 504, 521), with a Retry-After if given; nothing is stored.</summary>
    public static Fault ServerError(int status = 503, int? retryAfterSeconds = null)
    {
        var correlationId = NamedCorrelationId(status);
        var body = ErrorBody(correlationId, "INTERNAL_ERROR", $"Internal error {status}");
        return (retryAfterSeconds is { } seconds
            ? Respond(status, body, ("Retry-After", seconds.ToString(CultureInfo.InvariantCulture)))
            : Respond(status, body)) with { CorrelationId = correlationId };
    }

    /// <summary>
    /// The default association answers 200 with another status (<c>PENDING</c>, <c>PROCESSING</c>, <c>CANCELED</c>);
    /// <paramref name="stored"/> says whether the association exists afterwards.
    /// </summary>
    public static Fault AssociationStatus(string status, bool stored, string? error = null)
    {
        JsonNode? Edit(JsonObject answer)
        {
            answer["status"] = status;
            if (error is not null)
            {
                answer["numErrors"] = 1;
                answer["errors"] = new JsonArray(JsonNode.Parse(ErrorBody(NamedCorrelationId(200), "VALIDATION_ERROR", error)));
            }

            return answer;
        }

        return stored ? Reshaped(Edit) : new Fault { Reshape = Edit, Status = 200 };
    }

    static string NamedCorrelationId(int status) => $"fa017000-0000-4000-8000-{status:D12}";

    // As observed: no category, errorType and policyName instead (neither is in HubSpot's schema).
    internal static string RateLimitBody(string correlationId, string policy) => new JsonObject
    {
        ["status"] = "error",
        ["message"] = policy switch
        {
            "DAILY" => "You have reached your daily limit.",
            "SECONDLY" => "You have reached your secondly limit.",
            _ => "You have reached your ten_secondly_rolling limit.",
        },
        ["errorType"] = "RATE_LIMIT",
        ["correlationId"] = correlationId,
        ["policyName"] = policy,
    }.ToJsonString();

    internal static string ErrorBody(string correlationId, string category, string message) => new JsonObject
    {
        ["status"] = "error",
        ["message"] = message,
        ["correlationId"] = correlationId,
        ["category"] = category,
    }.ToJsonString();
}

/// <summary>
/// A stand-in for HubSpot's CRM API (date version 2026-09) on loopback, as difficult as HubSpot: Bearer check, HubSpot's
/// status codes and error bodies, records with string ids, email uniqueness, a search index that lags writes, batch reads
/// and association reads that do not, the request shapes HubSpot's OpenAPI files require, rate limits, and per-route
/// fault injection. Anything else is 404.
/// </summary>
public sealed partial class FakeHubSpotServer : IAsyncDisposable
{
    public const string ApiVersion = "2026-09";

    /// <summary>Obviously fake; the only token the fake accepts unless told otherwise.</summary>
    public const string DefaultToken = "pat-na1-00000000-0000-0000-0000-000000000000";

    /// <summary>A realistic lag of HubSpot's search index behind writes (seconds are common; once about 30 s was seen).</summary>
    public static readonly TimeSpan DefaultSearchLag = TimeSpan.FromSeconds(3);

    public static readonly IReadOnlyList<string> AllScopes =
    [
        "crm.objects.contacts.read",
        "crm.objects.contacts.write",
        "crm.objects.companies.read",
        "crm.objects.companies.write",
    ];

    const string Prefix = "/crm/objects/" + ApiVersion + "/";
    const int TenSecondlyMax = 100;
    const int SearchSecondlyMax = 5;
    const int SearchLimitMax = 200;
    const int FilterGroupsMax = 6;
    const int BatchInputsMax = 100;

    // HubSpot-defined association types between contacts and companies: primary and unlabeled, each way.
    static readonly int[] CompanyToContactTypes = [280, 2];
    static readonly int[] ContactToCompanyTypes = [279, 1];

    readonly WebApplication _app;
    readonly Stopwatch _clock = Stopwatch.StartNew();
    readonly Lock _lock = new();
    readonly List<RecordedRequest> _requests = [];
    readonly List<FakeRecord> _contacts = [];
    readonly List<FakeRecord> _companies = [];
    readonly HashSet<(string ContactId, string CompanyId)> _associations = [];
    readonly ConcurrentDictionary<Route, ConcurrentQueue<Fault>> _faults = new();
    readonly Queue<TimeSpan> _recentCalls = new();
    readonly Queue<TimeSpan> _recentSearches = new();
    long _nextContactId = 37765128901;
    long _nextCompanyId = 20185735001;

    FakeHubSpotServer(WebApplication app, string token, bool control, string pathBase)
    {
        _app = app;
        Token = token;
        Control = control;
        PathBase = pathBase;
        if (pathBase.Length > 0)
        {
            app.UsePathBase(pathBase);
        }

        app.Run(HandleAsync);
    }

    /// <summary>A prefix every HubSpot path must carry, as behind a gateway ("" for none).</summary>
    public string PathBase { get; }

    /// <summary>Whether <c>/_fake/reset</c> and <c>/_fake/stats</c> answer (for the standalone fake and the benchmark).</summary>
    public bool Control { get; }

    public Uri BaseUrl { get; private set; } = null!;

    /// <summary>The Bearer token the fake accepts.</summary>
    public string Token { get; }

    /// <summary>The scopes the token carries; a call whose scope is missing answers 403 MISSING_SCOPES.</summary>
    public ISet<string> GrantedScopes { get; } = new HashSet<string>(AllScopes);

    /// <summary>How long a new record stays invisible to search (HubSpot's index lags writes).</summary>
    public TimeSpan SearchLag { get; set; } = DefaultSearchLag;

    public IReadOnlyList<RecordedRequest> Requests { get { lock (_lock) { return [.. _requests]; } } }
    public IReadOnlyList<FakeRecord> Contacts { get { lock (_lock) { return [.. _contacts]; } } }
    public IReadOnlyList<FakeRecord> Companies { get { lock (_lock) { return [.. _companies]; } } }
    public IReadOnlyList<(string ContactId, string CompanyId)> Associations { get { lock (_lock) { return [.. _associations]; } } }

    public static async Task<FakeHubSpotServer> StartAsync(int port = 0, string token = DefaultToken, bool control = false, string pathBase = "")
    {
        var builder = WebApplication.CreateSlimBuilder();
        builder.Logging.ClearProviders();
        builder.WebHost.UseKestrel(options => options.Listen(IPAddress.Loopback, port));
        var server = new FakeHubSpotServer(builder.Build(), token, control, pathBase);
        await server._app.StartAsync();
        var address = server._app.Urls.First();
        server.BaseUrl = new Uri(address.Replace("[::]", "127.0.0.1", StringComparison.Ordinal));
        return server;
    }

    public async ValueTask DisposeAsync()
    {
        await _app.StopAsync();
        await _app.DisposeAsync();
    }

    /// <summary>Queue faults for the next requests on a route, in order; normal handling resumes after them.</summary>
    public void Inject(Route route, Fault fault, int times = 1)
    {
        var queue = _faults.GetOrAdd(route, _ => new ConcurrentQueue<Fault>());
        for (var i = 0; i < times; i++)
        {
            queue.Enqueue(fault);
        }
    }

    /// <summary>A contact stored a day ago (already indexed).</summary>
    public FakeRecord SeedContact(string email, string firstName, string lastName, string? id = null) =>
        Store(_contacts, id ?? NextId(ref _nextContactId), new() { ["email"] = email, ["firstname"] = firstName, ["lastname"] = lastName }, DateTimeOffset.UtcNow - TimeSpan.FromDays(1), indexed: true);

    /// <summary>A company created at <paramref name="createdAt"/>; search sees it at once unless <paramref name="indexed"/> is false.</summary>
    public FakeRecord SeedCompany(string name, string domain, DateTimeOffset createdAt, string? id = null, bool indexed = true) =>
        Store(_companies, id ?? NextId(ref _nextCompanyId), new() { ["name"] = name, ["domain"] = domain }, createdAt, indexed);

    public void SeedAssociation(string contactId, string companyId)
    {
        lock (_lock)
        {
            _associations.Add((contactId, companyId));
        }
    }

    /// <summary>Forgets every record and request, as if HubSpot were a fresh portal.</summary>
    public void Reset()
    {
        lock (_lock)
        {
            _requests.Clear();
            _contacts.Clear();
            _companies.Clear();
            _associations.Clear();
            _recentCalls.Clear();
            _recentSearches.Clear();
        }

        _faults.Clear();
    }

    async Task HandleAsync(HttpContext context)
    {
        var request = context.Request;
        if (Control && request.Path.StartsWithSegments("/_fake", StringComparison.Ordinal))
        {
            await HandleControlAsync(context);
            return;
        }

        string body;
        using (var reader = new StreamReader(request.Body, Encoding.UTF8))
        {
            body = await reader.ReadToEndAsync(context.RequestAborted);
        }

        var path = request.Path.Value ?? "";
        // Behind a gateway's prefix, only requests under the prefix reach HubSpot's routes.
        var (route, ids) = request.PathBase == PathBase ? Match(request.Method, path) : (null, []);
        var recorded = new RecordedRequest(
            request.Method,
            request.PathBase.Value ?? "",
            path,
            request.QueryString.Value ?? "",
            request.Headers.ToDictionary(h => h.Key, h => h.Value.ToString(), StringComparer.OrdinalIgnoreCase),
            body,
            DateTimeOffset.UtcNow,
            _clock.Elapsed,
            route);
        lock (_lock)
        {
            _requests.Add(recorded);
        }

        var correlationId = Guid.NewGuid().ToString();
        context.Response.Headers["X-HubSpot-Correlation-Id"] = correlationId;

        Fault? fault = null;
        if (route is { } r && _faults.TryGetValue(r, out var queue))
        {
            queue.TryDequeue(out fault);
        }

        if (fault is { Delay.Ticks: > 0 })
        {
            try
            {
                await Task.Delay(fault.Delay, context.RequestAborted);
            }
            catch (OperationCanceledException)
            {
                return;
            }
        }

        if (fault is { DropConnection: true })
        {
            context.Abort();
            return;
        }

        if (fault is { OversizedBytes: > 0 })
        {
            await WriteOversizedAsync(context.Response, fault.OversizedBytes, fault.AnnounceLength, context.RequestAborted);
            return;
        }

        if (fault is { StoreAfter.Ticks: > 0 })
        {
            _ = StoreLaterAsync(route, body, fault.StoreAfter);
        }

        if (fault is { StoreFirst: true })
        {
            Handle(route, ids, request, body, correlationId);
        }

        var answer = fault switch
        {
            { Status: { } status, Reshape: { } edit } => Reshape(new Answer(status, UnhandledBody(route, ids)), edit),
            { Status: { } status } => new Answer(status, fault.Body, fault.Headers),
            { Reshape: { } edit } => Reshape(Handle(route, ids, request, body, correlationId), edit),
            _ => Handle(route, ids, request, body, correlationId),
        };

        if (fault is { LoseAnswer: true })
        {
            context.Abort();
            return;
        }

        context.Response.StatusCode = answer.Status;
        if (answer.Body.Length > 0)
        {
            context.Response.ContentType = "application/json;charset=utf-8";
        }

        foreach (var (name, value) in answer.Headers.Concat(fault is { Status: null } ? fault.Headers : []))
        {
            context.Response.Headers[name] = value;
        }

        if (fault is { CutShort: true })
        {
            var bytes = Encoding.UTF8.GetBytes(answer.Body);
            context.Response.ContentLength = bytes.Length;
            await context.Response.Body.WriteAsync(bytes.AsMemory(0, bytes.Length / 2), context.RequestAborted);
            await context.Response.Body.FlushAsync(context.RequestAborted);
            context.Abort();
            return;
        }

        if (answer.Body.Length > 0)
        {
            await context.Response.WriteAsync(answer.Body, context.RequestAborted);
        }
    }

    // HubSpot went on working after its answer: the record appears later, as if the request had just been handled.
    async Task StoreLaterAsync(Route? route, string body, TimeSpan after)
    {
        await Task.Delay(after);
        _ = route switch
        {
            Route.CreateCompany => CreateCompany(body, Guid.NewGuid().ToString()),
            Route.CreateContact => CreateContact(body, Guid.NewGuid().ToString()),
            _ => throw new InvalidOperationException($"A late store needs a create, not {route}."),
        };
    }

    // Valid JSON that a careless client would read whole: {"id":"1","padding":"xxxx..."}.
    static async Task WriteOversizedAsync(HttpResponse response, long bytes, bool announceLength, CancellationToken ct)
    {
        var head = Encoding.UTF8.GetBytes("{\"id\":\"1\",\"createdAt\":\"2026-01-01T00:00:00Z\",\"padding\":\"");
        var tail = Encoding.UTF8.GetBytes("\"}");
        response.StatusCode = 200;
        response.ContentType = "application/json;charset=utf-8";
        if (announceLength)
        {
            response.ContentLength = bytes;
        }

        var chunk = Enumerable.Repeat((byte)'x', 64 * 1024).ToArray();
        try
        {
            await response.Body.WriteAsync(head, ct);
            for (var left = bytes - head.Length - tail.Length; left > 0; left -= chunk.Length)
            {
                await response.Body.WriteAsync(chunk.AsMemory(0, (int)Math.Min(chunk.Length, left)), ct);
            }

            await response.Body.WriteAsync(tail, ct);
        }
        catch (Exception e) when (e is OperationCanceledException or IOException)
        {
            // The client stopped reading: what a careful one does.
        }
    }

    static Answer Reshape(Answer answer, Func<JsonObject, JsonNode?> edit) =>
        JsonNode.Parse(answer.Body) is JsonObject json
            ? answer with { Body = edit(json)?.ToJsonString() ?? "null" }
            : answer;

    // The answer a reshaped fault starts from when nothing is handled: only the association's envelope needs one.
    static string UnhandledBody(Route? route, string[] ids) =>
        route == Route.AssociateDefault ? AssociationEnvelope(ids[0], ids[1]).ToJsonString() : "{}";

    // Not HubSpot: a control plane for the standalone fake, never recorded as a request.
    async Task HandleControlAsync(HttpContext context)
    {
        switch (context.Request.Method, context.Request.Path.Value)
        {
            case ("POST", "/_fake/reset"):
                Reset();
                context.Response.StatusCode = 204;
                break;
            case ("GET", "/_fake/stats"):
                context.Response.ContentType = "application/json";
                await context.Response.WriteAsync(new JsonObject
                {
                    ["requests"] = Requests.Count,
                    ["contacts"] = Contacts.Count,
                    ["companies"] = Companies.Count,
                    ["associations"] = Associations.Count,
                }.ToJsonString(), context.RequestAborted);
                break;
            default:
                context.Response.StatusCode = 404;
                break;
        }
    }

    Answer Handle(Route? route, string[] ids, HttpRequest request, string body, string correlationId)
    {
        if (route is null)
        {
            // Fail closed: HubSpot answers unknown paths with 404 and an empty body.
            return new Answer(404, "");
        }

        if (!Authorized(request))
        {
            return Error(401, correlationId, "INVALID_AUTHENTICATION",
                "Authentication credentials not found. This API supports OAuth 2.0 authentication and you can find more details at https://developers.hubspot.com/docs/methods/auth/oauth-overview",
                new Dictionary<string, string> { ["X-HubSpot-Auth-Failure"] = "Invalid token" });
        }

        var scope = RequiredScope(route.Value);
        if (!GrantedScopes.Contains(scope))
        {
            return MissingScope(scope, correlationId);
        }

        if (RateLimited(route.Value, correlationId) is { } limited)
        {
            return limited;
        }

        var answer = route.Value switch
        {
            Route.CreateContact => CreateContact(body, correlationId),
            Route.ReadContact => ReadContact(ids[0], request.Query, correlationId),
            Route.SearchCompanies => SearchCompanies(body, correlationId),
            Route.CreateCompany => CreateCompany(body, correlationId),
            Route.ReadCompanies => ReadCompanies(body, correlationId),
            Route.AssociateDefault => Associate(ids[0], ids[1], correlationId),
            _ => new Answer(404, ""),
        };
        return route == Route.SearchCompanies ? answer : answer with { Headers = RateLimitHeaders(answer.Headers) };
    }

    static (Route?, string[]) Match(string method, string path)
    {
        if (!path.StartsWith(Prefix, StringComparison.Ordinal))
        {
            return (null, []);
        }

        var segments = path[Prefix.Length..].Split('/');
        return (method, segments) switch
        {
            ("POST", ["contacts"]) => (Route.CreateContact, []),
            ("GET", ["contacts", var id]) when id.Length > 0 => (Route.ReadContact, [Uri.UnescapeDataString(id)]),
            ("POST", ["companies", "search"]) => (Route.SearchCompanies, []),
            ("POST", ["companies", "batch", "read"]) => (Route.ReadCompanies, []),
            ("POST", ["companies"]) => (Route.CreateCompany, []),
            ("PUT", ["contacts", var contactId, "associations", "default", "companies", var companyId]) => (Route.AssociateDefault, [contactId, companyId]),
            _ => (null, []),
        };
    }

    bool Authorized(HttpRequest request)
    {
        var header = request.Headers.Authorization.ToString();
        return header.StartsWith("Bearer ", StringComparison.Ordinal) && header["Bearer ".Length..] == Token;
    }

    static string RequiredScope(Route route) => route switch
    {
        Route.CreateContact => "crm.objects.contacts.write",
        Route.ReadContact => "crm.objects.contacts.read",
        Route.SearchCompanies or Route.ReadCompanies => "crm.objects.companies.read",
        Route.CreateCompany => "crm.objects.companies.write",
        _ => "crm.objects.contacts.write",
    };

    Answer? RateLimited(Route route, string correlationId)
    {
        var now = _clock.Elapsed;
        lock (_lock)
        {
            if (route == Route.SearchCompanies)
            {
                // Search has its own per-second limit and is exempt from the ten-second one.
                Trim(_recentSearches, now - TimeSpan.FromSeconds(1));
                if (_recentSearches.Count >= SearchSecondlyMax)
                {
                    return new Answer(429, Fault.RateLimitBody(correlationId, "SECONDLY"));
                }

                _recentSearches.Enqueue(now);
                return null;
            }

            Trim(_recentCalls, now - TimeSpan.FromSeconds(10));
            if (_recentCalls.Count >= TenSecondlyMax)
            {
                return new Answer(429, Fault.RateLimitBody(correlationId, "TEN_SECONDLY_ROLLING"));
            }

            _recentCalls.Enqueue(now);
            return null;
        }

        static void Trim(Queue<TimeSpan> calls, TimeSpan since)
        {
            while (calls.Count > 0 && calls.Peek() < since)
            {
                calls.Dequeue();
            }
        }
    }

    Dictionary<string, string> RateLimitHeaders(IReadOnlyDictionary<string, string> headers)
    {
        int remaining;
        lock (_lock)
        {
            remaining = TenSecondlyMax - _recentCalls.Count;
        }

        return new Dictionary<string, string>(headers)
        {
            ["X-HubSpot-RateLimit-Max"] = TenSecondlyMax.ToString(CultureInfo.InvariantCulture),
            ["X-HubSpot-RateLimit-Remaining"] = remaining.ToString(CultureInfo.InvariantCulture),
            ["X-HubSpot-RateLimit-Interval-Milliseconds"] = "10000",
            ["X-HubSpot-RateLimit-Daily"] = "250000",
            ["X-HubSpot-RateLimit-Daily-Remaining"] = "249000",
        };
    }

    Answer CreateContact(string body, string correlationId)
    {
        if (ParseCreate(body, ContactToCompanyTypes, correlationId, out var properties, out var associateWith) is { } invalid)
        {
            return invalid;
        }

        var email = properties.GetValueOrDefault("email", "");
        if (!ValidEmail().IsMatch(email))
        {
            var detail = new JsonArray(new JsonObject
            {
                ["isValid"] = false,
                ["message"] = $"Email address {email} is invalid",
                ["error"] = "INVALID_EMAIL",
                ["name"] = "email",
            }).ToJsonString();
            return Error(400, correlationId, "VALIDATION_ERROR", $"Property values were not valid: {detail}");
        }

        lock (_lock)
        {
            var existing = _contacts.FirstOrDefault(c => string.Equals(c["email"], email, StringComparison.OrdinalIgnoreCase));
            if (existing is not null)
            {
                return Error(409, correlationId, "CONFLICT", $"Contact already exists. Existing ID: {existing.Id}");
            }

            if (associateWith.FirstOrDefault(id => _companies.All(c => c.Id != id)) is { } unknown)
            {
                return Error(400, correlationId, "VALIDATION_ERROR", $"No company with id {unknown} to associate with.");
            }

            var contact = Store(_contacts, NextId(ref _nextContactId), properties, DateTimeOffset.UtcNow, indexed: false);
            foreach (var companyId in associateWith)
            {
                _associations.Add((contact.Id, companyId));
            }

            return new Answer(201, RecordJson(contact, "contact", properties: null));
        }
    }

    Answer ReadContact(string idOrEmail, IQueryCollection query, string correlationId)
    {
        FakeRecord? found;
        List<string> companyIds;
        lock (_lock)
        {
            found = query["idProperty"].ToString() switch
            {
                "email" => _contacts.FirstOrDefault(c => string.Equals(c["email"], idOrEmail, StringComparison.OrdinalIgnoreCase)),
                "" or "hs_object_id" => _contacts.FirstOrDefault(c => c.Id == idOrEmail),
                _ => null,
            };
            companyIds = found is null ? [] : [.. _associations.Where(a => a.ContactId == found.Id).Select(a => a.CompanyId).Order(StringComparer.Ordinal)];
        }

        if (found is null)
        {
            return Error(404, correlationId, "OBJECT_NOT_FOUND", "resource not found");
        }

        var record = JsonNode.Parse(RecordJson(found, "contact", Split(query["properties"])))!.AsObject();
        if (Split(query["associations"]).Contains("companies") && companyIds.Count > 0)
        {
            // HubSpot lists a company once per association label: the first one is also the primary.
            var results = new JsonArray();
            for (var i = 0; i < companyIds.Count; i++)
            {
                if (i == 0)
                {
                    results.Add(new JsonObject { ["id"] = companyIds[i], ["type"] = "contact_to_company" });
                }

                results.Add(new JsonObject { ["id"] = companyIds[i], ["type"] = "contact_to_company_unlabeled" });
            }

            record["associations"] = new JsonObject { ["companies"] = new JsonObject { ["results"] = results } };
        }

        return new Answer(200, record.ToJsonString());
    }

    Answer SearchCompanies(string body, string correlationId)
    {
        if (ParseObject(body, correlationId, out var root) is { } invalid)
        {
            return invalid;
        }

        // What HubSpot's 2026-09 OpenAPI file marks required; HubSpot itself tolerates some gaps, the fake does not.
        if (Missing(root, "after", "filterGroups", "limit", "properties", "sorts") is { } missing)
        {
            return Error(400, correlationId, "VALIDATION_ERROR", $"Invalid input JSON: missing required field \"{missing}\".");
        }

        if (root["limit"] is not JsonValue limitValue || !limitValue.TryGetValue<int>(out var limit) || limit is < 1 or > SearchLimitMax)
        {
            return Error(400, correlationId, "VALIDATION_ERROR", $"limit must be a number from 1 to {SearchLimitMax}.");
        }

        if (root["filterGroups"] is not JsonArray groups || groups.Count > FilterGroupsMax)
        {
            return Error(400, correlationId, "VALIDATION_ERROR", $"filterGroups must be a list of at most {FilterGroupsMax} groups.");
        }

        var filters = groups.Select(g => g?["filters"] as JsonArray).ToList();
        if (filters.Any(f => f is null || f.Any(x => Missing(x as JsonObject, "propertyName", "operator") is not null)))
        {
            return Error(400, correlationId, "VALIDATION_ERROR", "Every filter group needs filters, and every filter a propertyName and an operator.");
        }

        if (filters.SelectMany(f => f!).Any(f => f!["operator"]!.GetValue<string>() != "EQ"))
        {
            return Error(400, correlationId, "VALIDATION_ERROR", "The fake only searches with EQ filters.");
        }

        var offset = int.TryParse(root["after"]?.GetValue<string>(), NumberStyles.None, CultureInfo.InvariantCulture, out var after) ? after : 0;
        var now = DateTimeOffset.UtcNow;
        List<FakeRecord> matches;
        lock (_lock)
        {
            // Groups are ORed, the filters in a group ANDed; matching ignores case, as HubSpot's does.
            matches = [.. _companies.Where(c => c.IndexedAt <= now && filters.Any(group => group!.All(f =>
                string.Equals(c[f!["propertyName"]!.GetValue<string>()], f["value"]?.GetValue<string>(), StringComparison.OrdinalIgnoreCase))))];
        }

        matches = Sorted(matches, root["sorts"] as JsonArray);
        var page = matches.Skip(offset).Take(limit).ToList();
        var properties = (root["properties"] as JsonArray)?.Select(p => p?.GetValue<string>()).OfType<string>().ToList();
        var answer = new JsonObject
        {
            ["total"] = matches.Count,
            ["results"] = new JsonArray([.. page.Select(c => JsonNode.Parse(RecordJson(c, "company", properties)))]),
        };
        if (offset + page.Count < matches.Count)
        {
            answer["paging"] = new JsonObject { ["next"] = new JsonObject { ["after"] = (offset + page.Count).ToString(CultureInfo.InvariantCulture) } };
        }

        return new Answer(200, answer.ToJsonString());
    }

    // Sorts come as {"propertyName","direction"} (HubSpot's docs) or as a property name (its OpenAPI file); HubSpot sorts by id otherwise.
    static List<FakeRecord> Sorted(List<FakeRecord> records, JsonArray? sorts)
    {
        var ordered = records.OrderBy(r => 0);
        foreach (var sort in sorts ?? [])
        {
            var (property, descending) = sort switch
            {
                JsonObject o => (o["propertyName"]?.GetValue<string>() ?? "", o["direction"]?.GetValue<string>() == "DESCENDING"),
                JsonValue v when v.TryGetValue<string>(out var name) => (name.TrimStart('-'), name.StartsWith('-')),
                _ => ("", false),
            };
            Func<FakeRecord, string> key = property switch
            {
                "createdate" => r => r.CreatedAt.UtcTicks.ToString("D20", CultureInfo.InvariantCulture),
                "hs_object_id" => r => r.Id.PadLeft(20, '0'),
                _ => r => r[property],
            };
            ordered = descending ? ordered.ThenByDescending(key, StringComparer.Ordinal) : ordered.ThenBy(key, StringComparer.Ordinal);
        }

        return [.. ordered.ThenBy(r => r.Id.PadLeft(20, '0'), StringComparer.Ordinal)];
    }

    Answer CreateCompany(string body, string correlationId)
    {
        if (ParseCreate(body, CompanyToContactTypes, correlationId, out var properties, out var associateWith) is { } invalid)
        {
            return invalid;
        }

        // HubSpot does not deduplicate companies created through the API; associations are stored with the record.
        lock (_lock)
        {
            if (associateWith.FirstOrDefault(id => _contacts.All(c => c.Id != id)) is { } unknown)
            {
                return Error(400, correlationId, "VALIDATION_ERROR", $"No contact with id {unknown} to associate with.");
            }

            var company = Store(_companies, NextId(ref _nextCompanyId), properties, DateTimeOffset.UtcNow, indexed: false);
            foreach (var contactId in associateWith)
            {
                _associations.Add((contactId, company.Id));
            }

            return new Answer(201, RecordJson(company, "company", properties: null));
        }
    }

    // Batch reads come from the primary store: no index lag. Missing ids make a 207 with one error.
    Answer ReadCompanies(string body, string correlationId)
    {
        if (ParseObject(body, correlationId, out var root) is { } invalid)
        {
            return invalid;
        }

        if (Missing(root, "inputs", "properties", "propertiesWithHistory") is { } missing)
        {
            return Error(400, correlationId, "VALIDATION_ERROR", $"Invalid input JSON: missing required field \"{missing}\".");
        }

        if (root["inputs"] is not JsonArray inputs || inputs.Count is 0 or > BatchInputsMax || inputs.Any(i => i?["id"] is not JsonValue))
        {
            return Error(400, correlationId, "VALIDATION_ERROR", $"inputs must be 1 to {BatchInputsMax} objects with an id.");
        }

        var wanted = inputs.Select(i => i!["id"]!.ToString()).Distinct().ToList();
        List<FakeRecord> found;
        lock (_lock)
        {
            found = [.. _companies.Where(c => wanted.Contains(c.Id))];
        }

        var properties = (root["properties"] as JsonArray)?.Select(p => p?.GetValue<string>()).OfType<string>().ToList();
        var now = DateTimeOffset.UtcNow.ToString("O", CultureInfo.InvariantCulture);
        var answer = new JsonObject
        {
            ["status"] = "COMPLETE",
            ["results"] = new JsonArray([.. found.Select(c => JsonNode.Parse(RecordJson(c, "company", properties)))]),
            ["startedAt"] = now,
            ["completedAt"] = now,
        };
        var absent = wanted.Except(found.Select(c => c.Id)).ToList();
        if (absent.Count == 0)
        {
            return new Answer(200, answer.ToJsonString());
        }

        answer["numErrors"] = 1;
        answer["errors"] = new JsonArray(new JsonObject
        {
            ["status"] = "error",
            ["category"] = "OBJECT_NOT_FOUND",
            ["message"] = "Could not get some COMPANY objects, they may be deleted or not exist. Check that ids are valid.",
            ["context"] = new JsonObject { ["ids"] = new JsonArray([.. absent.Select(id => JsonValue.Create(id))]) },
        });
        return new Answer(207, answer.ToJsonString());
    }

    Answer Associate(string contactId, string companyId, string correlationId)
    {
        lock (_lock)
        {
            if (_contacts.All(c => c.Id != contactId) || _companies.All(c => c.Id != companyId))
            {
                return Error(404, correlationId, "OBJECT_NOT_FOUND", "One or more objects could not be found.");
            }

            _associations.Add((contactId, companyId));
        }

        return new Answer(200, AssociationEnvelope(contactId, companyId).ToJsonString());
    }

    // The default association lists both directions: 279 contact-to-company, 280 back.
    static JsonObject AssociationEnvelope(string contactId, string companyId)
    {
        var now = DateTimeOffset.UtcNow.ToString("O", CultureInfo.InvariantCulture);
        return new JsonObject
        {
            ["status"] = "COMPLETE",
            ["results"] = new JsonArray(
                AssociationResult(contactId, companyId, 279),
                AssociationResult(companyId, contactId, 280)),
            ["startedAt"] = now,
            ["completedAt"] = now,
        };

        static JsonObject AssociationResult(string from, string to, int typeId) => new()
        {
            ["from"] = new JsonObject { ["id"] = from },
            ["to"] = new JsonObject { ["id"] = to },
            ["associationSpec"] = new JsonObject { ["associationCategory"] = "HUBSPOT_DEFINED", ["associationTypeId"] = typeId },
        };
    }

    static Answer? ParseObject(string body, string correlationId, out JsonObject root)
    {
        root = [];
        try
        {
            if (JsonNode.Parse(body) is not JsonObject parsed)
            {
                return Error(400, correlationId, "VALIDATION_ERROR", "Invalid input JSON: expected an object.");
            }

            root = parsed;
            return null;
        }
        catch (JsonException e)
        {
            return Error(400, correlationId, "VALIDATION_ERROR", $"Invalid input JSON on line 1: {e.Message}");
        }
    }

    static string? Missing(JsonObject? json, params string[] names) =>
        json is null ? names[0] : names.FirstOrDefault(name => json[name] is null);

    // A create needs "properties" (strings only) and "associations" (SimplePublicObjectInputForCreate), each
    // association a "to" id and HubSpot-defined types that fit this direction.
    static Answer? ParseCreate(string body, int[] allowedTypes, string correlationId, out Dictionary<string, string> properties, out List<string> associateWith)
    {
        properties = [];
        associateWith = [];
        if (ParseObject(body, correlationId, out var root) is { } invalid)
        {
            return invalid;
        }

        if (Missing(root, "properties", "associations") is { } missing)
        {
            return Error(400, correlationId, "VALIDATION_ERROR", $"Invalid input JSON: missing required field \"{missing}\".");
        }

        if (root["properties"] is not JsonObject values || root["associations"] is not JsonArray associations)
        {
            return Error(400, correlationId, "VALIDATION_ERROR", "Invalid input JSON: \"properties\" must be an object and \"associations\" a list.");
        }

        foreach (var (name, value) in values)
        {
            if (value is not JsonValue v || !v.TryGetValue<string>(out var text))
            {
                return Error(400, correlationId, "VALIDATION_ERROR", $"Property values were not valid: {name} must be a string.");
            }

            properties[name] = text;
        }

        foreach (var association in associations)
        {
            var to = association?["to"]?["id"] is JsonValue id && id.TryGetValue<string>(out var text) ? text : null;
            var types = association?["types"] as JsonArray;
            var typesFit = types is { Count: > 0 } && types.All(t =>
                t?["associationCategory"]?.GetValue<string>() == "HUBSPOT_DEFINED"
                && t["associationTypeId"] is JsonValue typeId && typeId.TryGetValue<int>(out var n) && allowedTypes.Contains(n));
            if (to is null || !typesFit)
            {
                return Error(400, correlationId, "VALIDATION_ERROR", $"Invalid association: needs to.id and types from {string.Join(", ", allowedTypes)}.");
            }

            associateWith.Add(to);
        }

        return null;
    }

    FakeRecord Store(List<FakeRecord> records, string id, Dictionary<string, string> properties, DateTimeOffset createdAt, bool indexed)
    {
        var stamp = createdAt.ToString("O", CultureInfo.InvariantCulture);
        properties["hs_object_id"] = id;
        properties["createdate"] = stamp;
        properties["lastmodifieddate"] = stamp;
        var record = new FakeRecord(id, properties, createdAt, indexed ? DateTimeOffset.MinValue : DateTimeOffset.UtcNow + SearchLag);
        lock (_lock)
        {
            records.Add(record);
        }

        return record;
    }

    static string NextId(ref long next) => Interlocked.Increment(ref next).ToString(CultureInfo.InvariantCulture);

    static List<string> Split(Microsoft.Extensions.Primitives.StringValues values) =>
        [.. values.SelectMany(v => (v ?? "").Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries))];

    /// <summary>A record as HubSpot answers it: the asked-for properties plus the three it always adds.</summary>
    static string RecordJson(FakeRecord record, string kind, IReadOnlyList<string>? properties)
    {
        var stamp = record.CreatedAt.ToString("O", CultureInfo.InvariantCulture);
        var values = new JsonObject();
        foreach (var (name, value) in record.Properties)
        {
            if (properties is null || properties.Contains(name) || name is "hs_object_id" or "createdate" or "lastmodifieddate")
            {
                values[name] = value;
            }
        }

        return new JsonObject
        {
            ["id"] = record.Id,
            ["properties"] = values,
            ["createdAt"] = stamp,
            ["updatedAt"] = stamp,
            ["archived"] = false,
            ["url"] = $"https://app.hubspot.com/contacts/1/record/{kind}/{record.Id}",
        }.ToJsonString();
    }

    static Answer Error(int status, string correlationId, string category, string message, Dictionary<string, string>? headers = null) =>
        new(status, Fault.ErrorBody(correlationId, category, message), headers ?? []);

    static Answer MissingScope(string scope, string correlationId) =>
        new(403, new JsonObject
        {
            ["status"] = "error",
            ["message"] = "This app hasn't been granted all required scopes to make this call. Read more about required scopes here: https://developers.hubspot.com/scopes.",
            ["correlationId"] = correlationId,
            ["errors"] = new JsonArray(new JsonObject
            {
                ["message"] = "One or more of the following scopes are required.",
                ["context"] = new JsonObject { ["requiredGranularScopes"] = new JsonArray(scope) },
            }),
            ["links"] = new JsonObject { ["scopes"] = "https://developers.hubspot.com/scopes" },
            ["category"] = "MISSING_SCOPES",
        }.ToJsonString(), new Dictionary<string, string>());

    [GeneratedRegex(@"^[^@\s]+@[^@\s]+\.[A-Za-z]{2,}$")]
    private static partial Regex ValidEmail();

    sealed record Answer(int Status, string Body, IReadOnlyDictionary<string, string> Headers)
    {
        public Answer(int status, string body) : this(status, body, new Dictionary<string, string>()) { }
    }
}
