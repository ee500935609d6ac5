using System.Globalization;
using System.Net.Http.Headers;
using System.Runtime.InteropServices;
using System.Text;
using System.Text.Encodings.Web;
using System.Text.Json;

using DotNetEnv;
using DotNetEnv.Extensions;

// The story: arguments, configuration, the three steps. Every failure ends in the one boundary below them.
var step = "reading the arguments";
Ensured? contact = null, company = null;
using var cancel = new CancellationTokenSource();
try
{
    if (args is ["--help" or "-h"])
    {
        Terminal.Out(Usage.Text);
        return ExitCode.Done;
    }

    var dryRun = args is ["--dry-run"];
    if (args.Length > 0 && !dryRun)
    {
        Terminal.Error($"Unknown argument: {string.Join(' ', args)}.\n{Usage.Text}");
        return ExitCode.Usage;
    }

    step = "reading the configuration";
    var dotEnv = DotEnvFile.Read(".env");
    var (settings, problems) = Settings.Load(Environment.GetEnvironmentVariable, dotEnv, dryRun);
    if (settings is null)
    {
        Terminal.Error($"Configuration problem{(problems.Count > 1 ? "s" : "")}, nothing was sent to HubSpot:\n  - {string.Join("\n  - ", problems)}");
        return ExitCode.Usage;
    }

    // The one request that depends on the configuration; the rest are in docs/behaviour.md.
    if (dryRun)
    {
        Terminal.Out($"Dry run: nothing is sent. The first request would be\nPOST {settings.ApiRoot}{Api.Contacts}\n  {Api.ContactBody(settings)}" +
            (Settings.TokenProblem(settings.Token, dotEnv) is { } note ? $"\nNote: {note}" : ""));
        return ExitCode.Done;
    }

    // Ctrl+C, SIGTERM and SIGHUP (the terminal closed) cancel whatever is awaited: a pause, a request or a retry wait.
    using var onInterrupt = PosixSignalRegistration.Create(PosixSignal.SIGINT, Cancel);
    using var onTerminate = PosixSignalRegistration.Create(PosixSignal.SIGTERM, Cancel);
    using var onHangUp = PosixSignalRegistration.Create(PosixSignal.SIGHUP, Cancel);

    // The platform's limits: a timeout for the whole exchange (the body is read before SendAsync returns), a 1 MB cap, no redirects.
    using var http = new HttpClient(new SocketsHttpHandler { AllowAutoRedirect = false })
    {
        Timeout = settings.Timeout,
        MaxResponseContentBufferSize = 1024 * 1024,
    };
    http.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", settings.Token);
    http.DefaultRequestHeaders.Accept.Add(new MediaTypeWithQualityHeaderValue("application/json"));
    http.DefaultRequestHeaders.UserAgent.Add(new ProductInfoHeaderValue("HubSpotChallenge", "1.0.0"));
    var hubspot = new PacedHubSpotClient(http, settings);

    step = "creating the contact";
    contact = await EnsureContactAsync(hubspot, settings, cancel.Token);
    Terminal.Out($"Contact {contact}: {settings.FirstName} {settings.LastName} <{settings.Email}>");

    step = "creating the company";
    company = await EnsureCompanyAsync(hubspot, contact, cancel.Token);
    Terminal.Out($"Company {company}: {OurCompany.Name} ({OurCompany.Domain})");

    step = "associating the contact with the company";
    await AssociateAsync(hubspot, contact.Id, company.Id, cancel.Token);
    Terminal.Out($"Contact {contact.Id} associated with company {company.Id}.\nDone: {hubspot.RequestsSent} requests to {settings.Host}.");
    return ExitCode.Done;
}
catch (Exception e)
{
    // Expected failures arrive worded; anything unforeseen (stdout on a full disk, say) is one line naming the step.
    var (line, exitCode) = e switch
    {
        HubSpotException => (e.Message, ExitCode.Failed),
        OperationCanceledException when cancel.IsCancellationRequested => ("Cancelled.", ExitCode.Cancelled),
        _ => ($"Stopped by an unexpected {e.GetType().Name} while {step}: {Terminal.Clause(e.Message)}. HUBSPOT_CHALLENGE_DEBUG=1 shows the details.", ExitCode.Failed),
    };
    Terminal.Error(Environment.GetEnvironmentVariable("HUBSPOT_CHALLENGE_DEBUG") == "1" ? $"{line}\n{e}" : line);
    Terminal.Error($"So far: {(contact is null ? "no contact yet" : $"contact {contact}")}, {(company is null ? "no company yet" : $"company {company}")}. " +
        "Running again is safe: it reuses what exists and creates only what is missing.");
    return exitCode;
}

void Cancel(PosixSignalContext context)
{
    context.Cancel = true;
    cancel.Cancel();
}

// Contacts are unique by email: create, and on 409 reuse the one HubSpot names.
static async Task<Ensured> EnsureContactAsync(PacedHubSpotClient hubspot, Settings settings, CancellationToken ct)
{
    var answer = await hubspot.SendAsync("creating the contact", HttpMethod.Post, Api.Contacts, Api.ContactBody(settings), ct, alsoAccept: 409);
    if (answer.Status != 409)
    {
        return new(answer.RecordId(), Created: true);
    }

    // The id is only in the prose, "Existing ID: 37765128953"; without it, read the contact by email (no lag, unlike search).
    var existingId = (Answer.Text(answer.Json, "message") ?? "").Split("Existing ID: ") is [_, var rest, ..] ? string.Concat(rest.TakeWhile(char.IsAsciiDigit)) : "";
    return new(existingId.Length > 0 ? existingId
        : (await hubspot.SendAsync("reading the existing contact by email", HttpMethod.Get, Api.ContactByEmail(settings.Email), null, ct)).RecordId(), Created: false);
}

// HubSpot does not deduplicate companies created through the API: look for ours before creating one.
static async Task<Ensured> EnsureCompanyAsync(PacedHubSpotClient hubspot, Ensured contact, CancellationToken ct)
{
    // An existing contact leads to it through its associations (no lag); else search, which misses one created seconds ago.
    var found = (contact.Created ? null : await FindLinkedCompanyAsync(hubspot, contact.Id, ct))
        ?? OurCompany.OldestAmong(await hubspot.SendAsync("searching for the company", HttpMethod.Post, Api.CompanySearch, Api.CompanySearchBody, ct), domainRequired: true);
    if (found is not null)
    {
        return new(found, Created: false);
    }

    try
    {
        // Created already associated with the contact, so the contact's associations find it without lag.
        return new((await hubspot.SendAsync("creating the company", HttpMethod.Post, Api.Companies, Api.CompanyBody(contact.Id), ct, sendOnce: true)).RecordId(), Created: true);
    }
    catch (HubSpotException e) when (e.MaybeStored is { } unclear)
    {
        // HubSpot may store it seconds after a failed answer, so no read proves it did not: look once, then leave it to a later run.
        var wait = unclear.Wait ?? TimeSpan.FromSeconds(5);
        Terminal.Out($"Creating the company: {unclear.Reason}; checking in {wait.TotalSeconds:0.0} s whether HubSpot stored it.");
        await Task.Delay(wait, ct);
        return await FindLinkedCompanyAsync(hubspot, contact.Id, ct) is { } stored
            ? new(stored, Created: true)
            : throw new HubSpotException($"HubSpot may have stored the company although its answer failed ({unclear.Reason}) while creating the company, " +
                $"so it was not sent again. Run again in a minute: the run finds it through the contact, or creates it if it is not there.{unclear.Correlation}");
    }
}

// Reads by id and batch reads come from HubSpot's primary store: they see a company created a moment ago.
static async Task<string?> FindLinkedCompanyAsync(PacedHubSpotClient hubspot, string contactId, CancellationToken ct)
{
    var ids = (await hubspot.SendAsync("reading the contact's companies", HttpMethod.Get, Api.ContactWithCompanies(contactId), null, ct)).CompanyIds();
    return ids.Count == 0 ? null : OurCompany.OldestAmong(
        await hubspot.SendAsync("reading the contact's companies", HttpMethod.Post, Api.CompaniesBatchRead, Api.BatchReadBody(ids), ct), domainRequired: false);
}

// Safe to repeat. Its 200 is no proof: COMPLETE is; PENDING or PROCESSING only if a read of the contact's companies shows it.
static async Task AssociateAsync(PacedHubSpotClient hubspot, string contactId, string companyId, CancellationToken ct)
{
    var answer = await hubspot.SendAsync("associating the contact with the company", HttpMethod.Put, Api.Association(contactId, companyId), null, ct);
    var status = answer.Need(answer.Json, "status", JsonValueKind.String, "$").GetString();
    var error = Answer.Items(answer.Json, "errors").Select(e => Answer.Text(e, "message") ?? "no message").FirstOrDefault();
    var holds = error is null && (status == "COMPLETE" || (status is "PENDING" or "PROCESSING"
        && (await hubspot.SendAsync("confirming the association", HttpMethod.Get, Api.ContactWithCompanies(contactId), null, ct)).CompanyIds().Contains(companyId)));
    if (!holds)
    {
        throw new HubSpotException($"HubSpot did not confirm that contact {contactId} is associated with company {companyId} ({status}" +
            $"{(error is null ? "" : $": {Terminal.Clause(error)}")}). Run again in a minute; if it keeps failing, associate them in HubSpot by hand.");
    }
}

static class ExitCode { public const int Done = 0, Failed = 1, Usage = 2, Cancelled = 130; }

static class OurCompany
{
    public const string Name = "Coding Challenge Company GmbH";
    public const string Domain = "coding-challenge-company.com";

    // Only our domain counts (search matches words), the oldest if several. A search hit without a domain, or a batch read
    // that is not COMPLETE, is unreadable: never "not ours".
    public static string? OldestAmong(Answer answer, bool domainRequired)
    {
        var results = answer.Need(answer.Json, "results", JsonValueKind.Array, "$");
        (string Id, DateTimeOffset CreatedAt)? oldest = Answer.Text(answer.Json, "status") is null or "COMPLETE" ? null
            : throw answer.Unusable("a status other than COMPLETE");
        foreach (var (company, i) in results.EnumerateArray().Select((company, i) => (company, i)))
        {
            var id = answer.Id(company, $"$.results[{i}]");
            var domain = Answer.Text(Answer.Field(company, "properties", JsonValueKind.Object), "domain")
                ?? (domainRequired ? throw answer.Unusable($"no 'domain' at $.results[{i}].properties") : "");
            var createdAt = Answer.Field(company, "createdAt", JsonValueKind.String) is { ValueKind: JsonValueKind.String } text
                && text.TryGetDateTimeOffset(out var date) ? date : DateTimeOffset.MaxValue;
            oldest = domain.Trim().Equals(Domain, StringComparison.OrdinalIgnoreCase) && (oldest is null || createdAt < oldest.Value.CreatedAt) ? (id, createdAt) : oldest;
        }

        return oldest?.Id;
    }
}

// HubSpot's date-versioned API (the v3/v4 paths lose support in 2027): its paths, and its bodies as its documentation writes
// them. Its schema requires "associations" on a create, and "after" and "sorts" on a search: sent, empty where need be.
static class Api
{
    public const string ApiVersion = "2026-09";
    public const string Contacts = $"/crm/objects/{ApiVersion}/contacts";
    public const string Companies = $"/crm/objects/{ApiVersion}/companies";
    public const string CompanySearch = $"{Companies}/search";
    public const string CompaniesBatchRead = $"{Companies}/batch/read";

    public static string ContactByEmail(string email) => $"{Contacts}/{Uri.EscapeDataString(email)}?idProperty=email";

    // Ids come from HubSpot's answers: escaped, so that no answer can steer a path.
    public static string ContactWithCompanies(string contactId) => $"{Contacts}/{Uri.EscapeDataString(contactId)}?associations=companies";

    public static string Association(string contactId, string companyId) =>
        $"{Contacts}/{Uri.EscapeDataString(contactId)}/associations/default/companies/{Uri.EscapeDataString(companyId)}";

    public static string ContactBody(Settings s) =>
        $$"""{"properties":{"email":{{Json(s.Email)}},"firstname":{{Json(s.FirstName)}},"lastname":{{Json(s.LastName)}}},"associations":[]}""";

    // 280 is HubSpot's unlabeled company-to-contact association: the company is born linked to the contact.
    public static string CompanyBody(string contactId) =>
        $$"""{"properties":{"name":"{{OurCompany.Name}}","domain":"{{OurCompany.Domain}}"},"associations":[{"to":{"id":{{Json(contactId)}}},"types":[{"associationCategory":"HUBSPOT_DEFINED","associationTypeId":280}]}]}""";

    // Sorted by createdate, so that the oldest match is on the first page however many there are.
    public const string CompanySearchBody =
        $$"""{"filterGroups":[{"filters":[{"propertyName":"domain","operator":"EQ","value":"{{OurCompany.Domain}}"}]}],"properties":["name","domain"],"sorts":[{"propertyName":"createdate","direction":"ASCENDING"}],"after":"0","limit":100}""";

    public static string BatchReadBody(List<string> ids) =>
        $$"""{"inputs":[{{string.Join(',', ids.Select(id => $$"""{"id":{{Json(id)}}}"""))}}],"properties":["name","domain"],"propertiesWithHistory":[]}""";

    // Letters beyond ASCII stay readable in --dry-run; it is still valid JSON.
    static string Json(string value) => $"\"{JsonEncodedText.Encode(value, JavaScriptEncoder.UnsafeRelaxedJsonEscaping)}\"";
}

static class Usage
{
    public const string Text = $"""
        HubSpotChallenge 1.0.0: creates a contact and the company "{OurCompany.Name}" in HubSpot and associates them.

        Usage: dotnet run [-- --dry-run | --help]
          --dry-run   check the configuration and print the first request, sending nothing (no token needed)
          -h, --help  show this help

        Configuration comes from the environment, then from .env in the current directory:
          HUBSPOT_KEY       private app token or service key (required)
          FIRSTNAME         the contact's first name (required)
          LASTNAME          the contact's last name (required)
          CONTACT_EMAIL     the contact's email (default: firstname.lastname@example.com)
          HUBSPOT_BASE_URL  API host, and a gateway's path if any (default: https://api.hubapi.com)
          HUBSPOT_TIMEOUT_SECONDS  how long to wait for each answer, 1 to 300 (default: 30)
          HUBSPOT_CHALLENGE_DEBUG=1  show the details of an unexpected failure

        Exit codes: 0 done, 1 HubSpot or network failure, 2 configuration or usage error, 130 cancelled.
        """;
}

/// <summary>The card's helper, the one way to HubSpot: every attempt waits 200 ms first, and this loop alone decides retries.</summary>
sealed class PacedHubSpotClient(HttpClient http, Settings settings)
{
    const int MaxAttempts = 4;

    public int RequestsSent { get; private set; }

    // Four attempts at most. With sendOnce, a failure HubSpot may have carried out anyway is thrown with MaybeStored, not resent.
    public async Task<Answer> SendAsync(string step, HttpMethod method, string path, string? body, CancellationToken ct, int alsoAccept = 0, bool sendOnce = false)
    {
        for (var attempt = 1; ; attempt++)
        {
            // The original script's pace (time.sleep(0.2)): a run stays far below HubSpot's 100 requests per 10 seconds.
            await Task.Delay(200, ct);
            var (answer, failure) = await SendOnceAsync(step, method, path, body, ct);
            if (answer is not null && (answer.Status is >= 200 and < 300 || answer.Status == alsoAccept))
            {
                return answer;
            }

            failure ??= answer!.ToFailure();
            // About 1 s, 2 s, 4 s with ±20% jitter, unless HubSpot said how long; a wait past a minute is not sat through.
            var wait = failure.Wait ?? TimeSpan.FromSeconds(Math.Pow(2, attempt - 1) * (0.8 + (0.4 * Random.Shared.NextDouble())));
            var (tooLong, maybeStored) = (wait > TimeSpan.FromMinutes(1), sendOnce && failure.MayHaveHappened);
            if (maybeStored || !failure.WorthRetrying || tooLong || attempt == MaxAttempts)
            {
                throw new HubSpotException(failure.Text + (failure.WorthRetrying && tooLong ? $" HubSpot asked to wait {wait.TotalMinutes:0} min: run again then." : "")
                    + (attempt > 1 ? $" Gave up after {attempt} attempts." : "") + failure.Correlation, maybeStored ? failure : null);
            }

            Terminal.Out($"{char.ToUpperInvariant(step[0])}{step[1..]}: {failure.Reason}; trying again in {wait.TotalSeconds:0.0} s (attempt {attempt + 1} of {MaxAttempts}).");
            await Task.Delay(wait, ct);
        }
    }

    async Task<(Answer?, Failure?)> SendOnceAsync(string step, HttpMethod method, string path, string? body, CancellationToken ct)
    {
        // The base URL's path (a gateway's prefix) is kept: requests go below it.
        using var request = new HttpRequestMessage(method, settings.ApiRoot + path);
        request.Content = body is null ? null : new StringContent(body, Encoding.UTF8, "application/json");
        RequestsSent++;
        try
        {
            using var response = await http.SendAsync(request, ct);
            var bytes = await response.Content.ReadAsByteArrayAsync(ct);
            return (new Answer(step, settings.Host, (int)response.StatusCode, bytes, response.Content.Headers.ContentType?.MediaType, response.Headers), null);
        }
        catch (HttpRequestException e)
        {
            // No answer: may the request have reached HubSpot, and can waiting help?
            var (reason, worthRetrying, mayHaveHappened) = e.HttpRequestError switch
            {
                HttpRequestError.NameResolutionError => ($"the host name {settings.BaseUrl.Host} could not be resolved", false, false),
                HttpRequestError.ConnectionError => ("the connection was refused or failed", true, false),
                HttpRequestError.SecureConnectionError => ("the TLS handshake failed (is it an https server?)", false, false),
                HttpRequestError.InvalidResponse => ($"the answer was not HTTP ({Terminal.Clause(e.Message)})", false, false),
                HttpRequestError.ResponseEnded or HttpRequestError.Unknown when e.InnerException is IOException => ("the connection closed before the whole answer arrived", true, true),
                HttpRequestError.ConfigurationLimitExceeded => ("the answer was larger than 1 MB", false, true),
                _ => (Terminal.Clause(e.Message), false, true),
            };
            return (null, new(e.HttpRequestError == HttpRequestError.ConfigurationLimitExceeded
                ? $"{settings.Host} sent more than 1 MB while {step}; HubSpot's answers here are a few KB. Check HUBSPOT_BASE_URL."
                : $"Could not reach HubSpot at {settings.Host} while {step}: {reason}. Check HUBSPOT_BASE_URL and your connection.", reason, worthRetrying, mayHaveHappened));
        }
        catch (OperationCanceledException) when (!ct.IsCancellationRequested)
        {
            var reason = $"no answer within {settings.Timeout.TotalSeconds:0} s";
            return (null, new Failure($"HubSpot at {settings.Host} gave {reason} while {step}. Check your connection (HUBSPOT_TIMEOUT_SECONDS sets the limit), then run again.",
                reason, WorthRetrying: true, MayHaveHappened: true));
        }
    }
}

/// <summary>A failure already worded for the user: one line, no stack trace. MaybeStored: a create HubSpot may have carried out anyway.</summary>
sealed class HubSpotException(string message, Failure? maybeStored = null) : Exception(message)
{
    public Failure? MaybeStored => maybeStored;
}

/// <summary>A record this run needs, and whether this run created it.</summary>
sealed record Ensured(string Id, bool Created)
{
    public override string ToString() => $"{Id} {(Created ? "created" : "already existed")}";
}

/// <summary>Why an attempt failed: the line for the user, the short reason for a retry line, and what it means for the next attempt.</summary>
sealed record Failure(string Text, string Reason, bool WorthRetrying, bool MayHaveHappened, TimeSpan? Wait = null, string? CorrelationId = null)
{
    public string Correlation => CorrelationId is null ? "" : $" (correlation id {CorrelationId})";
}

/// <summary>An answer from HubSpot, read whole as UTF-8 whatever its charset says. A 2xx is read strictly, an error loosely.</summary>
sealed class Answer(string step, string host, int status, byte[] body, string? mediaType, HttpResponseHeaders headers)
{
    public int Status => status;

    // Undefined when it is not JSON (an HTML page from a proxy or HubSpot's edge).
    public JsonElement Json { get; } = Parse(body);

    // A field the program relies on: present, not null and of the expected kind, or the run stops here.
    public JsonElement Need(JsonElement parent, string name, JsonValueKind kind, string at) =>
        parent.ValueKind != JsonValueKind.Object ? throw Unusable(parent.ValueKind == JsonValueKind.Undefined ? $"{mediaType ?? "no content type"}, not JSON" : $"nothing usable at {at}")
        : !parent.TryGetProperty(name, out var value) ? throw Unusable($"no '{name}' at {at}")
        : value.ValueKind == kind ? value
        : throw Unusable(value.ValueKind == JsonValueKind.Null ? $"null at {at}.{name}" : $"nothing usable at {at}.{name}");

    public string RecordId() => Id(Json, "$");

    public string Id(JsonElement record, string at) =>
        Need(record, "id", JsonValueKind.String, at).GetString() is { } id && !string.IsNullOrWhiteSpace(id) ? id : throw Unusable($"an empty id at {at}");

    // Each company once: HubSpot lists one per association label.
    public List<string> CompanyIds()
    {
        Id(Json, "$");
        var companies = Field(Field(Json, "associations", JsonValueKind.Object), "companies", JsonValueKind.Object);
        return companies.ValueKind == JsonValueKind.Undefined ? [] : [.. Need(companies, "results", JsonValueKind.Array, "$.associations.companies")
            .EnumerateArray().Select((company, i) => Id(company, $"$.associations.companies.results[{i}]")).Distinct()];
    }

    // A 2xx is not proof: without what the program needs it is a failure, never "nothing found".
    public HubSpotException Unusable(string detail) => new($"HubSpot answered {status} while {step}, but without what the program needs ({detail}), " +
        "so the run stops here. Check that HUBSPOT_BASE_URL points at HubSpot's API; running again is safe.");

    // The one table, keyed by status and whether the body is HubSpot's JSON: retry? may it have happened? the wait, the line.
    public Failure ToFailure()
    {
        var policy = Text(Json, "policyName");
        var category = Text(Json, "category") ?? policy;
        var label = category is null ? $"{status}" : $"{status} {category}";
        var isJson = Json.ValueKind != JsonValueKind.Undefined || body.Length == 0;
        var message = Text(Json, "message") is { Length: > 0 } m ? Terminal.Sentence(m) : isJson ? "(no message)." : $"(a {mediaType ?? "non-JSON"} page).";
        var scopes = Items(Json, "errors").Select(e => Field(e, "context", JsonValueKind.Object)).Append(Field(Json, "context", JsonValueKind.Object))
            .SelectMany(context => Items(context, "requiredScopes").Concat(Items(context, "requiredGranularScopes")).Concat(Items(context, "missingScopes")))
            .Select(scope => scope.ValueKind == JsonValueKind.String ? scope.GetString() : null).OfType<string>().Distinct().ToList();
        var retryAfter = headers.RetryAfter is { Delta: { } delta } ? delta : headers.RetryAfter?.Date - DateTimeOffset.UtcNow;
        var (worthRetrying, mayHaveHappened, text) = status switch
        {
            >= 300 and < 400 => (false, false, $"{host} answered {status} while {step}, redirecting to {Target()}; HubSpot's API does not redirect, so it was not followed. Check HUBSPOT_BASE_URL."),
            // HubSpot's own trouble, or its Cloudflare edge's (520 to 524, as HTML pages): the request may have been carried out.
            500 or 502 or 503 or 504 or (>= 520 and <= 524) => (true, true, $"HubSpot had trouble ({label}) while {step}: {message} Run again later."),
            _ when !isJson => (false, status >= 500,
                $"{host} answered {status} with {mediaType ?? "no content type"}, not HubSpot's JSON, while {step}. Check HUBSPOT_BASE_URL (HubSpot's API is https://api.hubapi.com)."),
            400 => (false, false, $"HubSpot refused the values ({label}) while {step}: {message} Correct what it names (in .env, or the portal's validation rules in HubSpot), then run again."),
            401 => (false, false, $"HubSpot rejected the token ({label}) while {step}. Check HUBSPOT_KEY: it may be expired, revoked, rotated, or for another account."),
            403 when category == "MISSING_SCOPES" || scopes.Count > 0 => (false, false,
                $"The token lacks a scope needed for {step} ({label}): {(scopes.Count > 0 ? string.Join(", ", scopes) : Terminal.Clause(message))}. " +
                "Grant it to your service key or private app in HubSpot (Development › Keys, or the app's Scopes tab), then run again."),
            403 => (false, false, $"HubSpot refused {step} ({label}): {message} Check that HUBSPOT_KEY belongs to the account you mean, then run again."),
            404 => (false, false, $"HubSpot answered {label} while {step}: {message} Check HUBSPOT_BASE_URL; if a record was deleted in HubSpot meanwhile, run again."),
            423 => (true, false, $"HubSpot kept the records locked ({label}) while {step}: {message} Run again in a minute."),
            429 when policy == "DAILY" => (false, false, $"HubSpot's daily API limit for this account is spent ({label}) while {step}. It resets at midnight in the account's time zone; run again then."),
            429 => (true, false, $"HubSpot's rate limit held ({label}) while {step}: {message} Wait a little, then run again."),
            477 => (false, false, $"The HubSpot account is being migrated ({label}) while {step}: {message} Run again {(retryAfter is { } after ? $"in {after.TotalMinutes:0} min" : "later")}."),
            >= 500 => (false, true, $"HubSpot had trouble ({label}) while {step}: {message} Run again later."),
            _ => (false, false, $"HubSpot answered {label} while {step}: {message} Check HUBSPOT_BASE_URL and HubSpot's status page (status.hubspot.com), then run again."),
        };
        // Retry-After first; for a rate limit its window, else 10 s (1 s for search's own limit); for a lock at least 2 s.
        var window = headers.TryGetValues("X-HubSpot-RateLimit-Interval-Milliseconds", out var ms) && int.TryParse(ms.First(), CultureInfo.InvariantCulture, out var n) && n > 0
            ? TimeSpan.FromMilliseconds(n) : TimeSpan.FromSeconds(policy == "SECONDLY" ? 1 : 10);
        var wait = !worthRetrying ? null : status == 429 ? retryAfter ?? window : status == 423 && !(retryAfter > TimeSpan.FromSeconds(2)) ? TimeSpan.FromSeconds(2) : retryAfter;
        var correlationId = Text(Json, "correlationId") ?? (headers.TryGetValues("X-HubSpot-Correlation-Id", out var ids) ? ids.First() : null);
        return new(text, $"HubSpot answered {label}", worthRetrying, mayHaveHappened, wait < TimeSpan.Zero ? TimeSpan.Zero : wait, correlationId);
    }

    // The optional parts of an answer: the field when it is there and of this kind, else Undefined.
    public static JsonElement Field(JsonElement parent, string name, JsonValueKind kind) =>
        parent.ValueKind == JsonValueKind.Object && parent.TryGetProperty(name, out var value) && value.ValueKind == kind ? value : default;

    public static string? Text(JsonElement parent, string name) => Field(parent, name, JsonValueKind.String) is { ValueKind: JsonValueKind.String } text ? text.GetString() : null;

    public static IEnumerable<JsonElement> Items(JsonElement parent, string name) =>
        Field(parent, name, JsonValueKind.Array) is { ValueKind: JsonValueKind.Array } list ? list.EnumerateArray() : [];

    static JsonElement Parse(byte[] bytes)
    {
        try
        {
            var reader = new Utf8JsonReader(bytes);
            return JsonElement.ParseValue(ref reader);
        }
        catch (JsonException)
        {
            return default;
        }
    }

    // Only scheme, host and path of the target: its query could carry anything.
    string Target() => headers.Location is not { } location ? "nowhere (no Location)"
        : Terminal.Shortened(location.IsAbsoluteUri ? location.GetLeftPart(UriPartial.Path) : location.OriginalString.Split('?')[0]);
}

/// <summary>Everything the run needs, checked before any request is sent.</summary>
sealed record Settings(string Token, string FirstName, string LastName, string Email, Uri BaseUrl, TimeSpan Timeout)
{
    // HubSpot takes far longer text; a longer name is a mistake, and a longer email local part is invalid (RFC 5321).
    const int LongestName = 200;
    const int LongestLocalPart = 64;

    static readonly string[] Names = ["HUBSPOT_KEY", "FIRSTNAME", "LASTNAME", "CONTACT_EMAIL", "HUBSPOT_BASE_URL", "HUBSPOT_TIMEOUT_SECONDS", "HUBSPOT_CHALLENGE_DEBUG"];

    // Latin letters from U+00C0 and U+1E00 as ASCII ('_' dropped, '*' a ligature), from AnyAscii's transliteration of each.
    const string FoldFrom00C0 =
        "aaaaaa*ceeeeiiiidnooooo_ouuuuy**aaaaaa*ceeeeiiiidnooooo_ouuuuy*yaaaaaaccccccccddddeeeeeeeeeegggggggg" +
        "hhhhiiiiiiiiii**jjkkqllllllllllnnnnnnn**oooooo**rrrrrrssssssssttttttuuuuuuuuuuuuwwyyyzzzzzzsbbbb__oc" +
        "cddddzeeeffgg*iikkllwnnooo**ppr__**ttttuuuvyyzz*__**__*wcx*q*********aaiioouuuuuuuuuueaaaa**ggggkkoo" +
        "oo**j***gg*wnnaa**ooaaaaeeeeiiiioooorrrruuuussttyyhhnd**zzaaeeooooooooyylntj**accltsz__buaeejjqqrryy";

    const string FoldFrom1E00 =
        "aabbbbbbccddddddddddeeeeeeeeeeffgghhhhhhhhhhiiiikkkkkkllllllllmmmmmmnnnnnnnnoooooooopppprrrrrrrrssss" +
        "ssssssttttttttuuuuuuuuuuvvvvwwwwwwwwwwxxxxyyzzzzzzhtwyasss*daaaaaaaaaaaaaaaaaaaaaaaaeeeeeeeeeeeeeeee" +
        "iiiioooooooooooooooooooooooouuuuuuuuuuuuuuyyyyyyyy**vvyy";

    const string Ligatures = "æae ßss þth ĳij ŋng œoe ƕhw ƣgh ǆdz ǉlj ǌnj ǣae ǳdz ǽae ȣou ỻll";

    // Where requests go, for the user's eyes: the host and any path prefix; the API's paths are appended to ApiRoot.
    public string Host => $"{BaseUrl.Authority}{BaseUrl.AbsolutePath.TrimEnd('/')}";

    public string ApiRoot => BaseUrl.GetLeftPart(UriPartial.Path).TrimEnd('/');

    // Every problem at once. A dry run needs no token: a missing or placeholder one is only a note there.
    public static (Settings? Settings, List<string> Problems) Load(Func<string, string?> environment, DotEnvFile dotEnv, bool dryRun)
    {
        // A variable set in the environment wins over .env, as with python-dotenv; an empty one is treated as unset.
        string Read(string name) => (environment(name) is { } set && !string.IsNullOrWhiteSpace(set) ? set : dotEnv.Values.GetValueOrDefault(name) ?? "").Trim();

        var token = Read("HUBSPOT_KEY") is var key && key.StartsWith("Bearer ", StringComparison.OrdinalIgnoreCase) ? key[7..].Trim() : key;
        Terminal.Hide(token);
        var (firstName, lastName, emailText, urlText, timeoutText) = (Read("FIRSTNAME"), Read("LASTNAME"), Read("CONTACT_EMAIL"), Read("HUBSPOT_BASE_URL"), Read("HUBSPOT_TIMEOUT_SECONDS"));
        var email = emailText.Length > 0 ? emailText : EmailFromNames(firstName, lastName);
        Uri.TryCreate(urlText.Length > 0 ? urlText : "https://api.hubapi.com", UriKind.Absolute, out var url);
        var seconds = timeoutText.Length == 0 ? 30 : int.TryParse(timeoutText, NumberStyles.None, CultureInfo.InvariantCulture, out var s) && s is >= 1 and <= 300 ? s : 0;

        var (tokenProblem, firstProblem, lastProblem) = (TokenProblem(token, dotEnv), NameProblem("FIRSTNAME", firstName, token, dotEnv), NameProblem("LASTNAME", lastName, token, dotEnv));
        List<string?> problems =
        [
            .. dotEnv.Problems,
            dryRun ? null : tokenProblem,
            tokenProblem is null && !token.All(c => c is > ' ' and < '\u007f') ? "HUBSPOT_KEY contains spaces or characters a token cannot have: paste the token alone, on one line." : null,
            firstProblem,
            lastProblem,
            emailText.Length > 0 ? NameProblem("CONTACT_EMAIL", emailText, token, dotEnv) ?? EmailProblem(emailText)
                : email.Length == 0 && firstProblem is null && lastProblem is null ? "FIRSTNAME and LASTNAME have no Latin letters or digits to build an email from: set CONTACT_EMAIL." : null,
            // A user name or password would be ignored, then echoed: refused without quoting it. Plain http would show the token.
            urlText.Contains('@', StringComparison.Ordinal) ? "HUBSPOT_BASE_URL contains a user name or password (before an @): remove it; HubSpot takes only the token."
                : url is null || !(url.Scheme == "https" || (url.Scheme == "http" && url.IsLoopback)) || url.Query.Length + url.Fragment.Length > 0
                ? $"HUBSPOT_BASE_URL '{Terminal.Shortened(urlText)}' is not an https URL like https://api.hubapi.com (http:// only to this machine; no query)."
                : null,
            seconds == 0 ? $"HUBSPOT_TIMEOUT_SECONDS '{Terminal.Shortened(timeoutText)}' is not a whole number of seconds from 1 to 300." : null,
            // A name the program does not read but for case and separators (FIRST_NAME) is a typo of one it does.
            .. dotEnv.Values.Keys.Except(Names).Select(key => Names.FirstOrDefault(name => Plain(name) == Plain(key)) is { } name
                ? $"{dotEnv.Path} sets {key}, which is not read: did you mean {name}?" : null),
        ];
        List<string> found = [.. problems.OfType<string>()];
        return (found.Count == 0 ? new Settings(token, firstName, lastName, email, url!, TimeSpan.FromSeconds(seconds)) : null, found);
    }

    public static string? TokenProblem(string token, DotEnvFile dotEnv) =>
        token.Length == 0 ? $"HUBSPOT_KEY is not set ({dotEnv.Where}): put your private app token or service key in .env (see .env.example)."
        : token.Equals("pat-xxxxxxxxxxxxxxxxxxxxxxxxxxxx", StringComparison.OrdinalIgnoreCase) ? "HUBSPOT_KEY is still the placeholder from .env.example: replace it with your private app token or service key."
        : null;

    static string? NameProblem(string name, string value, string token, DotEnvFile dotEnv) => value switch
    {
        "" => $"{name} is not set ({dotEnv.Where}): put the contact's {(name == "FIRSTNAME" ? "first" : "last")} name in .env.",
        _ when Terminal.FirstInvisible(value) is >= 0 and var i => $"{name} contains a control or invisible character (U+{(int)value[i]:X4}): write it as plain text on one line.",
        { Length: > LongestName } => $"{name} is {value.Length} characters long; at most {LongestName} are accepted.",
        _ when token.Length >= 8 && value.Contains(token, StringComparison.Ordinal) =>
            $"{name} contains the token from HUBSPOT_KEY (a ${{HUBSPOT_KEY}} in .env?): it would be sent to HubSpot and printed.",
        _ => null,
    };

    // The shape only (one @, a dotted domain, no spaces or brackets); HubSpot judges the rest, and its 400 says why.
    static string? EmailProblem(string email) =>
        email.Split('@') is not [{ Length: > 0 and <= LongestLocalPart }, var domain] || domain.Trim('.') != domain || !domain.Contains('.', StringComparison.Ordinal) || email.Length > 254 || email.Any(c => c is ' ' or '<' or '>' or ',' or ';' or '"' or '(' or ')')
            ? $"CONTACT_EMAIL '{Terminal.Shortened(email)}' is not an email address of at most 254 characters."
        : domain.Equals(OurCompany.Domain, StringComparison.OrdinalIgnoreCase) ? $"CONTACT_EMAIL must not use {OurCompany.Domain}: HubSpot would auto-create a second company from it."
        : null;

    // firstname.lastname@example.com: lower-case, accents folded, other characters dropped, at most 64 before the @.
    public static string EmailFromNames(string firstName, string lastName)
    {
        var (first, last) = (Fold(firstName), Fold(lastName));
        first = first[..Math.Min(first.Length, Math.Max(LongestLocalPart / 2, LongestLocalPart - 1 - last.Length))];
        last = last[..Math.Min(last.Length, LongestLocalPart - 1 - first.Length)];
        return first.Length + last.Length == 0 ? "" : $"{string.Join('.', new[] { first, last }.Where(part => part.Length > 0))}@example.com";
    }

    static string Plain(string name) => string.Concat(name.ToUpperInvariant().Where(char.IsAsciiLetterOrDigit));

    static string Fold(string name) => string.Concat(name.ToLowerInvariant().Select(c => (c switch
    {
        >= 'a' and <= 'z' or >= '0' and <= '9' => c,
        >= '\u00C0' and <= '\u024F' => FoldFrom00C0[c - 0xC0],
        >= '\u1E00' and <= '\u1EFF' => FoldFrom1E00[c - 0x1E00],
        _ => '_',
    }) switch
    {
        '_' => "",
        '*' => Ligatures.IndexOf(c, StringComparison.Ordinal) is >= 0 and var at ? Ligatures.Substring(at + 1, 2) : "",
        var letter => letter.ToString(),
    }));
}

/// <summary>.env as python-dotenv reads it, through DotNetEnv: the last of duplicate names wins, and '$' is literal but for ${NAME}.</summary>
sealed record DotEnvFile(string Path, bool Found, IReadOnlyDictionary<string, string> Values, IReadOnlyList<string> Problems)
{
    // For a variable that is not set: where it was looked for.
    public string Where => Found ? $"not in {Path}" : $"no .env in {System.IO.Path.GetDirectoryName(Path)}";

    // .env is read from the current directory, as python-dotenv's default does not (it looks upward from the script).
    public static DotEnvFile Read(string path)
    {
        path = System.IO.Path.GetFullPath(path);
        try
        {
            return new(path, true, Parse(File.ReadAllText(path)), []);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException or Sprache.ParseException)
        {
            // No file is no .env; any other failure is a problem. The parser's message quotes the text, maybe the token: the line only.
            var missing = e is FileNotFoundException && new FileInfo(path).LinkTarget is null;
            return new(path, !missing, new Dictionary<string, string>(), e switch
            {
                _ when missing => [],
                Sprache.ParseException parse => [$"{path} could not be parsed at line {parse.Position.Line}, so none of its values were read: " +
                    "put values with quotes or apostrophes in double quotes, e.g. LASTNAME=\"O'Brien\"."],
                _ => [$"{path} could not be read ({Terminal.Clause(e.Message)}): it must be a readable file of NAME=value lines."],
            });
        }
    }

    // DotNetEnv would expand $NAME too (python-dotenv only ${NAME}): other dollars stand aside as U+FDD0 while it parses.
    public static Dictionary<string, string> Parse(string text) =>
        Env.LoadContents(text.Replace("${", "\uFDD1", StringComparison.Ordinal).Replace('$', '\uFDD0').Replace("\uFDD1", "${", StringComparison.Ordinal), Env.NoEnvVars())
            .ToDotEnvDictionary(CreateDictionaryOption.TakeLast)
            .ToDictionary(pair => pair.Key, pair => pair.Value.Replace('\uFDD0', '$'));
}

/// <summary>The one place that prints: the token is hidden and control characters in outside text are shown as \uXXXX.</summary>
static class Terminal
{
    static string? _token;

    // From now on the token is printed as "(hidden)" wherever it appears, HubSpot's messages included.
    public static void Hide(string token) => _token = token.Length >= 8 ? token : null;

    // A stdout that cannot be written ends the run at the boundary.
    public static void Out(string text) => Array.ForEach(text.ReplaceLineEndings("\n").Split('\n'), line => Console.Out.WriteLine(Printable(line)));

    // A stderr that cannot be written (closed, a full disk) loses the lines, not the exit code the run has earned.
    public static void Error(string text)
    {
        try
        {
            Array.ForEach(text.ReplaceLineEndings("\n").Split('\n'), line => Console.Error.WriteLine(Printable(line)));
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
        }
    }

    public static string Printable(string line)
    {
        var text = _token is null ? line : line.Replace(_token, "(hidden)", StringComparison.Ordinal);
        return FirstInvisible(text) < 0 ? text : string.Concat(text.Select((c, i) => Invisible(text, i) ? $"\\u{(int)c:X4}" : c.ToString()));
    }

    public static int FirstInvisible(string text) => Enumerable.Range(0, text.Length).FirstOrDefault(i => Invisible(text, i), -1);

    // What acts on a terminal or hides itself: controls, separators, lone surrogates, unassigned, format but the joiners U+200C/D.
    static bool Invisible(string text, int i) =>
        !char.IsSurrogatePair(text, i) && !(i > 0 && char.IsSurrogatePair(text, i - 1)) && char.GetUnicodeCategory(text[i]) switch
        {
            UnicodeCategory.Control or UnicodeCategory.LineSeparator or UnicodeCategory.ParagraphSeparator
                or UnicodeCategory.Surrogate or UnicodeCategory.PrivateUse or UnicodeCategory.OtherNotAssigned => true,
            UnicodeCategory.Format => text[i] is not ('\u200C' or '\u200D'),
            _ => false,
        };

    public static string Shortened(string text) => text.Length <= 80 ? text : $"{text[..77]}...";

    public static string Clause(string text) => text.Trim().TrimEnd('.');

    public static string Sentence(string text) => text.TrimEnd() is { Length: > 0 } t && t[^1] is '.' or '!' or '?' ? t : $"{text.TrimEnd()}.";
}
