using System.Net.Http.Headers;
using System.Runtime.InteropServices;
using System.Text;
using System.Text.Json;
using System.Text.Json.Serialization;
using System.Text.Json.Serialization.Metadata;
using System.Text.RegularExpressions;

using DotNetEnv;

// Real names print as written, on a Windows console too.
Console.OutputEncoding = Encoding.UTF8;
using var cancel = new CancellationTokenSource();
// Ctrl+C and SIGTERM cancel whatever is awaited; the boundary below then says what exists.
using var onCtrlC = PosixSignalRegistration.Create(PosixSignal.SIGINT, Cancel);
using var onTerminate = PosixSignalRegistration.Create(PosixSignal.SIGTERM, Cancel);
var step = "reading the configuration";
Ensured? contact = null;
Ensured? company = null;
try
{
    if (args is ["--help"])
    {
        Terminal.Out(Usage.Lines);
        return ExitCode.Done;
    }

    var dryRun = args is ["--dry-run"];
    if (args.Length > 0 && !dryRun)
    {
        // Never echoed: it may be the token.
        Terminal.Error(["Unknown argument.", .. Usage.Lines]);
        return ExitCode.Usage;
    }

    var (settings, problems) = Settings.Load(dryRun);
    // From here on the token prints as "(hidden)", whoever quotes it: HubSpot, or a problem with the settings.
    Terminal.Hide(Settings.Variable("HUBSPOT_KEY"));
    if (settings is null)
    {
        Terminal.Error(["Nothing was sent to HubSpot. Correct the configuration:", .. problems.Select(p => $"- {p}")]);
        return ExitCode.Usage;
    }

    if (dryRun)
    {
        PrintPlan(settings);
        return ExitCode.Done;
    }

    // One HttpClient, only where the user pointed it: no redirects, no proxy to the fake; 30 s for a whole exchange.
    var handler = new SocketsHttpHandler { AllowAutoRedirect = false, UseProxy = !settings.BaseUrl.IsLoopback };
    using var http = new HttpClient(handler) { BaseAddress = settings.BaseUrl, Timeout = RetryPolicy.Timeout };
    http.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", settings.Token);
    var hubspot = new HubSpot(http);

    step = "creating the contact";
    (contact, var companyIds) = await EnsureContactAsync(hubspot, settings, cancel.Token);
    Terminal.Out($"Contact {contact}: {settings.FirstName} {settings.LastName} <{settings.Email}>");

    step = "creating the company";
    company = await EnsureCompanyAsync(hubspot, contact.Id, companyIds, cancel.Token);
    Terminal.Out($"Company {company}: {OurCompany.Name} ({OurCompany.Domain})");

    step = "associating the contact with the company";
    await AssociateAsync(hubspot, contact.Id, company.Id, cancel.Token);
    Terminal.Out($"Contact {contact.Id} associated with company {company.Id}.");
    Terminal.Out($"Done: {hubspot.RequestsSent} requests to {settings.BaseUrl.Authority}.");
    return ExitCode.Done;
}
catch (Exception e)
{
    // Expected failures arrive worded; the unforeseen is one line naming the step, never a stack trace.
    var (line, exitCode) = e switch
    {
        InDoubtException when cancel.IsCancellationRequested => (InDoubtException.Cancelled, ExitCode.Cancelled),
        HubSpotException => (e.Message, ExitCode.Failed),
        OperationCanceledException when cancel.IsCancellationRequested => ("Cancelled.", ExitCode.Cancelled),
        _ => ($"Stopped by an unexpected {e.GetType().Name} while {step}: {e.Message}", ExitCode.Failed),
    };
    Terminal.Error(line, SoFar(contact, company, companyInDoubt: e is InDoubtException));
    return exitCode;
}

void Cancel(PosixSignalContext context)
{
    context.Cancel = true;
    cancel.Cancel();
}

// Contacts are unique by email: a 409 means ours exists. Read it with its companies (no lag).
static async Task<(Ensured, List<string>)> EnsureContactAsync(HubSpot hubspot, Settings settings,
    CancellationToken ct)
{
    var created = await hubspot.SendAsync(Api.CreateContact(settings), ct);
    if (created.Status != 409)
    {
        return (new(created.Read(HubSpotJson.Default.RecordId).Id, Created: true), []);
    }

    var existing = await hubspot.SendAsync(Api.ReadContactByEmail(settings.Email), ct);
    if (existing.Status == 404)
    {
        // The email is another contact's secondary email: the 409 named that contact.
        existing = await hubspot.SendAsync(Api.ReadContact(created.ExistingId), ct);
    }

    var contact = existing.Read(HubSpotJson.Default.Contact);
    return (new(contact.Id, Created: false), contact.CompanyIds());
}

// HubSpot does not deduplicate companies made through the API: look for ours before creating one.
static async Task<Ensured> EnsureCompanyAsync(HubSpot hubspot, string contactId, List<string> companyIds,
    CancellationToken ct)
{
    // The contact's companies first: search lags writes by seconds, reads do not.
    var ours = await OursAmongAsync(hubspot, companyIds, ct);
    if (ours is not null)
    {
        return new(ours, Created: false);
    }

    var search = await hubspot.SendAsync(Api.SearchCompany, ct);
    var found = OldestOfOurs(search.Read(HubSpotJson.Default.Companies));
    if (found is not null)
    {
        return new(found, Created: false);
    }

    return await CreateCompanyAsync(hubspot, contactId, ct);
}

// Never twice: the client does not resend a create HubSpot may have carried out (InDoubtException). It may land
// seconds later: look once, 5 s later, through the contact; else it stays in doubt.
static async Task<Ensured> CreateCompanyAsync(HubSpot hubspot, string contactId, CancellationToken ct)
{
    InDoubtException doubt;
    try
    {
        var created = await hubspot.SendAsync(Api.CreateCompany(contactId), ct);
        return new(created.Read(HubSpotJson.Default.RecordId).Id, Created: true);
    }
    catch (InDoubtException e) when (!ct.IsCancellationRequested)
    {
        doubt = e;
    }

    try
    {
        Terminal.Out($"{doubt.Reason} while creating the company; checking in 5 s whether HubSpot stored it.");
        await Task.Delay(TimeSpan.FromSeconds(5), ct);
        var read = await hubspot.SendAsync(Api.ReadContact(contactId), ct);
        var stored = await OursAmongAsync(hubspot, read.Read(HubSpotJson.Default.Contact).CompanyIds(), ct);
        if (stored is not null)
        {
            return new(stored, Created: true);
        }
    }
    catch (Exception)
    {
        // The look failed, or Ctrl+C came: either way the company stays in doubt.
    }

    throw doubt;
}

static async Task<string?> OursAmongAsync(HubSpot hubspot, List<string> companyIds, CancellationToken ct)
{
    if (companyIds.Count == 0)
    {
        return null;
    }

    var answer = await hubspot.SendAsync(Api.ReadCompanies(companyIds), ct);
    var companies = answer.Read(HubSpotJson.Default.Companies);
    // Gone (deleted, merged) is a fact; another error may hide ours, and a create would make a second.
    var error = companies.Errors?.FirstOrDefault(e => e.Category != "OBJECT_NOT_FOUND");
    if (error is not null)
    {
        throw new HubSpotException($"HubSpot could not read the contact's companies ({error.Category}: " +
            $"{error.Message}). Run again in a minute.{answer.Correlation}");
    }

    return OldestOfOurs(companies);
}

// Exactly our domain (search matches words too); the oldest, so that every run picks the same.
static string? OldestOfOurs(Companies companies)
{
    var ours = companies.Results.Where(c =>
        string.Equals(c.Properties.Domain, OurCompany.Domain, StringComparison.OrdinalIgnoreCase));
    return ours.OrderBy(c => c.CreatedAt).FirstOrDefault()?.Id;
}

// The card's third step: safe to repeat, even after a create that linked them. A 200 alone is no proof.
static async Task AssociateAsync(HubSpot hubspot, string contactId, string companyId, CancellationToken ct)
{
    var answer = await hubspot.SendAsync(Api.Associate(contactId, companyId), ct);
    var association = answer.Read(HubSpotJson.Default.Association);
    var error = association.Errors?.FirstOrDefault();
    if (association.Status == "COMPLETE" && error is null)
    {
        return;
    }

    throw new HubSpotException($"HubSpot did not confirm the association ({association.Status}: " +
        $"{error?.Message ?? "no errors"}). Run again in a minute, or associate them in HubSpot.{answer.Correlation}");
}

// Built by the functions that build the real requests.
static void PrintPlan(Settings settings)
{
    Terminal.Out($"Dry run: nothing is sent. A run sends these to {settings.BaseUrl.Authority}, 200 ms apart:");
    Terminal.Out("1. Create the contact; if it exists (409), read it by email, else by the id the 409 names:");
    Show(Api.CreateContact(settings));
    Show(Api.ReadContactByEmail(settings.Email));
    Show(Api.ReadContact("{contactId}"));
    Terminal.Out("2. Find the company among the contact's companies, else by its domain:");
    Show(Api.ReadCompanies(["{companyId}"]));
    Show(Api.SearchCompany);
    Terminal.Out("3. Else create it, already associated with the contact:");
    Show(Api.CreateCompany("{contactId}"));
    Terminal.Out("4. Associate the contact with the company:");
    Show(Api.Associate("{contactId}", "{companyId}"));
    if (settings.Token == Settings.Placeholder)
    {
        Terminal.Out("HUBSPOT_KEY is still the placeholder from .env.example: a real run would refuse it.");
    }

    static void Show(Call call)
    {
        Terminal.Out($"   {call.Method} {call.Path}");
        if (call.Body is not null)
        {
            Terminal.Out($"   {call.Body}");
        }
    }
}

static string SoFar(Ensured? contact, Ensured? company, bool companyInDoubt)
{
    var contactState = contact is null ? "no contact yet" : $"contact {contact}";
    if (companyInDoubt)
    {
        return $"So far: {contactState}, the company perhaps stored.";
    }

    var companyState = company is null ? "no company yet" : $"company {company}";
    return $"So far: {contactState}, {companyState}. " +
        "Running again is safe: it reuses what exists and creates only what is missing.";
}

static class ExitCode
{
    public const int Done = 0, Failed = 1, Usage = 2, Cancelled = 130;
}

// Lines, not one text: a checkout's line endings (CRLF on Windows) stay out of the output.
static class Usage
{
    public static readonly string[] Lines =
    [
        $"Creates a HubSpot contact and the company \"{OurCompany.Name}\", and associates them.",
        "Usage: dotnet run [-- --dry-run | --help]   (--dry-run prints the requests and sends nothing)",
        "Settings come from the environment, then from .env in the current directory; README.md lists them.",
    ];
}

static class OurCompany
{
    public const string Name = "Coding Challenge Company GmbH";
    public const string Domain = "coding-challenge-company.com";
}

sealed record Ensured(string Id, bool Created)
{
    public override string ToString() => Created ? $"{Id} created" : $"{Id} already existed";
}

// AlsoAccepted: a status the step handles itself. SafeToRepeat: false for a create HubSpot does not deduplicate.
sealed record Call(string Step, HttpMethod Method, string Path, string? Body = null, int? AlsoAccepted = null,
    bool SafeToRepeat = true);

// HubSpot's date-versioned API; the /crm/v3 and v4 paths lose support in 2027.
static class Api
{
    const string Objects = "/crm/objects/2026-09";

    // Oldest first, so an earlier run's company is the first hit. The schema requires "after" and "sorts".
    public static readonly Call SearchCompany = new("searching for the company", HttpMethod.Post,
        $"{Objects}/companies/search", Json(new Search(
            [new([new("domain", "EQ", OurCompany.Domain)])], ["domain"], [new("createdate", "ASCENDING")],
            After: "0", Limit: 100), HubSpotJson.Default.Search));

    public static Call CreateContact(Settings s)
    {
        var contact = new NewRecord(new()
        {
            ["email"] = s.Email,
            ["firstname"] = s.FirstName,
            ["lastname"] = s.LastName,
        }, []);
        return new("creating the contact", HttpMethod.Post, $"{Objects}/contacts",
            Json(contact, HubSpotJson.Default.NewRecord), AlsoAccepted: 409);
    }

    // 404: no contact has this as its main email.
    public static Call ReadContactByEmail(string email) => new("reading the contact", HttpMethod.Get,
        $"{Objects}/contacts/{Uri.EscapeDataString(email)}?idProperty=email&associations=companies", AlsoAccepted: 404);

    public static Call ReadContact(string id) => new("reading the contact", HttpMethod.Get,
        $"{Objects}/contacts/{id}?associations=companies");

    public static Call ReadCompanies(List<string> ids) => new("reading the contact's companies", HttpMethod.Post,
        $"{Objects}/companies/batch/read", Json(new BatchRead([.. ids.Select(id => new RecordId(id))], ["domain"],
            PropertiesWithHistory: []), HubSpotJson.Default.BatchRead));

    // Born associated with the contact (280: company to contact): a re-run finds it without the search.
    public static Call CreateCompany(string contactId)
    {
        var link = new NewAssociation(new(contactId), [new("HUBSPOT_DEFINED", 280)]);
        var company = new NewRecord(new() { ["name"] = OurCompany.Name, ["domain"] = OurCompany.Domain }, [link]);
        return new("creating the company", HttpMethod.Post, $"{Objects}/companies",
            Json(company, HubSpotJson.Default.NewRecord), SafeToRepeat: false);
    }

    public static Call Associate(string contactId, string companyId) => new("associating the contact with the company",
        HttpMethod.Put, $"{Objects}/contacts/{contactId}/associations/default/companies/{companyId}");

    static string Json<T>(T body, JsonTypeInfo<T> type) => JsonSerializer.Serialize(body, type);
}

// The one way to HubSpot: 200 ms before every attempt, RetryPolicy's word on every failure.
sealed class HubSpot(HttpClient http)
{
    public int RequestsSent { get; private set; }

    public async Task<Answer> SendAsync(Call call, CancellationToken ct)
    {
        for (var attempt = 1; ; attempt++)
        {
            // The script's time.sleep(0.2): five requests a second at most, far below HubSpot's 100 in 10 s.
            await Task.Delay(200, ct);
            var answer = await SendOnceAsync(call, ct);
            if (answer.Status is >= 200 and < 300 || answer.Status == call.AlsoAccepted)
            {
                return answer;
            }

            var failure = RetryPolicy.Decide(answer, attempt);
            if (failure.MayHaveHappened && !call.SafeToRepeat)
            {
                throw new InDoubtException(answer.Reason, answer.Correlation);
            }

            if (!failure.TryAgain)
            {
                var gaveUp = attempt > 1 ? $" Gave up after {attempt} attempts." : "";
                throw new HubSpotException($"{answer.Reason} while {call.Step}: {answer.Message} {failure.Hint}" +
                    $"{gaveUp}{answer.Correlation}");
            }

            var next = $"attempt {attempt + 1} of {RetryPolicy.MaxAttempts}";
            Terminal.Out($"{answer.Reason} while {call.Step}; trying again in {failure.Wait.TotalSeconds:0.0} s ({next}).");
            await Task.Delay(failure.Wait, ct);
        }
    }

    // One attempt. No answer (refused, timed out, cut short) is status 0, with its exception.
    async Task<Answer> SendOnceAsync(Call call, CancellationToken ct)
    {
        using var request = new HttpRequestMessage(call.Method, call.Path);
        if (call.Body is not null)
        {
            request.Content = new StringContent(call.Body, Encoding.UTF8, "application/json");
        }

        RequestsSent++;
        try
        {
            using var response = await http.SendAsync(request, ct);
            var body = await response.Content.ReadAsByteArrayAsync(ct);
            return new(call.Step, (int)response.StatusCode, body, response.Headers, Error: null);
        }
        catch (HttpRequestException e)
        {
            return new(call.Step, 0, [], null, e);
        }
        catch (TaskCanceledException e) when (!ct.IsCancellationRequested)
        {
            // HttpClient's timeout, not Ctrl+C.
            return new(call.Step, 0, [], null, e);
        }
        catch (OperationCanceledException) when (!call.SafeToRepeat)
        {
            // Ctrl+C while the create was on its way.
            throw new InDoubtException("cancelled", "");
        }
    }
}

// What a failed attempt means: try again after Wait? may HubSpot have done it? what should the user do?
sealed record Failure(bool TryAgain, bool MayHaveHappened, TimeSpan Wait, string Hint);

static class RetryPolicy
{
    public const int MaxAttempts = 4;
    public static readonly TimeSpan Timeout = TimeSpan.FromSeconds(30);
    const string Later = "Run again later.";

    // The retry policy, first match wins: sent again if HubSpot did not handle it, or may have (but a create).
    public static Failure Decide(Answer answer, int attempt)
    {
        // Refused, or no such host: the request never left.
        var error = (answer.Error as HttpRequestException)?.HttpRequestError;
        var neverSent = error is HttpRequestError.ConnectionError or HttpRequestError.NameResolutionError;
        var (retry, mayHaveHappened, hint) = answer.Status switch
        {
            0 => (true, !neverSent, "Check your connection and HUBSPOT_BASE_URL."),
            429 when answer.Words?.PolicyName == "DAILY" => (false, false, "The daily limit resets at midnight in the account's time zone."),
            423 or 429 or 503 or 521 or 522 or 523 => (true, false, Later),
            500 or 502 or 504 or 520 or 524 => (true, true, Later),
            477 => (false, false, "The account is being migrated: run again later."),
            >= 500 => (false, true, Later),
            400 => (false, false, "Correct what it names: in .env, or a property your portal requires (Settings › Objects › the object's create form)."),
            401 => (false, false, "Check HUBSPOT_KEY: it may be expired, revoked, rotated, or another account's."),
            403 => (false, false, $"Grant the token {answer.Scopes}, then run again."),
            _ => (false, false, "Check HUBSPOT_BASE_URL."),
        };

        // Retry-After, else the named limit's window (search's is a second), else about 1, 2, 4 s.
        var wait = answer.RetryAfter ?? answer.Status switch
        {
            429 when answer.IsSearchLimit => TimeSpan.FromSeconds(1),
            429 => TimeSpan.FromSeconds(10),
            423 => TimeSpan.FromSeconds(2),
            _ => TimeSpan.FromSeconds(Math.Pow(2, attempt - 1) * (0.8 + (0.4 * Random.Shared.NextDouble()))),
        };
        // Longer, and the user is better told to run again later.
        if (retry && wait > TimeSpan.FromMinutes(1))
        {
            return new(false, mayHaveHappened, wait, $"HubSpot asked to wait {wait.TotalSeconds:0} s: run again later.");
        }

        return new(retry && attempt < MaxAttempts, mayHaveHappened, wait, hint);
    }
}

class HubSpotException(string message) : Exception(message);

// A company create HubSpot may have carried out although no answer said so.
sealed class InDoubtException(string reason, string correlation) : HubSpotException(
    $"HubSpot may have stored the company ({reason}), so the create was not sent again. {RunAgain}{correlation}")
{
    const string RunAgain = "Run again in a minute: the run finds it through the contact, or creates it.";

    public const string Cancelled = $"Cancelled while creating the company: HubSpot may have stored it. {RunAgain}";

    public string Reason => reason;
}

// HubSpot's answer: a 2xx read strictly into the records below, an error loosely, for its words.
sealed record Answer(string Step, int Status, byte[] Body, HttpResponseHeaders? Headers, Exception? Error)
{
    // Every field optional: HubSpot's 429s lack a category, an edge's HTML page has none.
    public HubSpotError? Words { get; } = ReadWords(Body);

    public string Reason => Status switch
    {
        0 => "HubSpot did not answer",
        _ when (Words?.Category ?? Words?.PolicyName) is { } named => $"HubSpot answered {Status} {named}",
        _ => $"HubSpot answered {Status}",
    };

    public string Message => (Error?.Message ?? Words?.Message)?.Trim() switch
    {
        { Length: > 0 } message => message.EndsWith('.') ? message : $"{message}.",
        _ => "(no message).",
    };

    // HubSpot's support asks for it.
    public string Correlation => Words?.CorrelationId is { } id ? $" (correlation id {id})" : "";

    // Search's own per-second limit, known by its message (as HubSpot's Node SDK does).
    public bool IsSearchLimit => Words?.Message?.Contains(" secondly limit", StringComparison.Ordinal) == true;

    // In seconds, as HubSpot and its edge send it; a date is left out.
    public TimeSpan? RetryAfter => Headers?.RetryAfter?.Delta;

    // The scopes HubSpot names, at the top or in each error; else the four the program needs.
    public string Scopes
    {
        get
        {
            IEnumerable<HubSpotError> all = Words is null ? [] : [Words, .. Words.Errors ?? []];
            var named = all.SelectMany(e => e.Context ?? [])
                .Where(c => c.Key is "requiredScopes" or "requiredGranularScopes" or "missingScopes")
                .SelectMany(c => c.Value).Distinct().ToList();
            if (named.Count == 0)
            {
                return "crm.objects.contacts.read, crm.objects.contacts.write, crm.objects.companies.read and " +
                    "crm.objects.companies.write";
            }

            return string.Join(", ", named);
        }
    }

    // The 409's "Contact already exists. Existing ID: 37765128953": the id is only in the prose.
    public string ExistingId => Regex.Match(Words?.Message ?? "", @"Existing ID: (\d+)").Groups[1].Value;

    // A 2xx is no proof: without what the program needs it is a failure, never "nothing found".
    public T Read<T>(JsonTypeInfo<T> type)
    {
        try
        {
            return JsonSerializer.Deserialize(Body, type) ?? throw new JsonException();
        }
        catch (JsonException)
        {
            throw new HubSpotException($"HubSpot answered {Status} while {Step} without what the program needs: " +
                "check that HUBSPOT_BASE_URL points at HubSpot's API.");
        }
    }

    static HubSpotError? ReadWords(byte[] body)
    {
        try
        {
            return JsonSerializer.Deserialize(body, HubSpotJson.Default.HubSpotError);
        }
        catch (JsonException)
        {
            return null;
        }
    }
}

sealed record Settings(string Token, string FirstName, string LastName, Uri BaseUrl)
{
    public const string Placeholder = "pat-xxxxxxxxxxxxxxxxxxxxxxxxxxxx";

    public string Email => EmailFromNames(FirstName, LastName);

    // Every problem at once, before anything is sent. A dry run needs no token.
    public static (Settings? Settings, List<string> Problems) Load(bool dryRun)
    {
        var dotEnv = Path.GetFullPath(".env");
        var dotEnvProblem = LoadDotEnv(dotEnv);
        if (dotEnvProblem is not null)
        {
            return (null, [dotEnvProblem]);
        }

        var missing = File.Exists(dotEnv)
            ? $"is missing or empty in '{dotEnv}'"
            : $"is not set, and there is no '{dotEnv}' (copy .env.example there, or run from the folder that holds .env)";
        List<string> problems = [];
        var token = Variable("HUBSPOT_KEY");
        var firstName = Variable("FIRSTNAME");
        var lastName = Variable("LASTNAME");
        var tokenProblem = dryRun ? null : TokenProblem(token, missing);
        if (tokenProblem is not null)
        {
            problems.Add(tokenProblem);
        }

        if (firstName.Length == 0)
        {
            problems.Add($"FIRSTNAME {missing}: set it to the contact's first name.");
        }

        if (lastName.Length == 0)
        {
            problems.Add($"LASTNAME {missing}: set it to the contact's last name.");
        }

        // http only to the fake on this machine: the token never crosses a network in clear.
        var text = Variable("HUBSPOT_BASE_URL") is { Length: > 0 } set ? set : "https://api.hubapi.com";
        Uri.TryCreate(text, UriKind.Absolute, out var url);
        var https = url?.Scheme == Uri.UriSchemeHttps;
        var local = url?.Scheme == Uri.UriSchemeHttp && url.IsLoopback;
        if (!https && !local)
        {
            problems.Add($"HUBSPOT_BASE_URL '{text}' is not an https URL like https://api.hubapi.com (http:// only to this machine).");
        }

        if (problems.Count > 0)
        {
            return (null, problems);
        }

        return (new(token, firstName, lastName, url!), problems);
    }

    // A fictional email, firstname.lastname@example.com, from the names folded to ASCII.
    public static string EmailFromNames(string firstName, string lastName)
    {
        string[] names = [Fold(firstName), Fold(lastName)];
        var localPart = string.Join('.', names.Where(name => name.Length > 0));
        return localPart.Length > 0 ? $"{localPart}@example.com" : "contact@example.com";
    }

    // ICU splits é into e and its accent; letters it cannot split are spelled out, the rest dropped.
    static string Fold(string name)
    {
        var folded = new StringBuilder();
        foreach (var c in name.Normalize(NormalizationForm.FormD).ToLowerInvariant())
        {
            folded.Append(c switch
            {
                >= 'a' and <= 'z' or >= '0' and <= '9' => $"{c}",
                'ß' => "ss",
                'æ' => "ae",
                'œ' => "oe",
                'ø' => "o",
                'ł' => "l",
                'đ' or 'ð' => "d",
                'þ' => "th",
                'ı' => "i",
                _ => "",
            });
        }

        return folded.ToString();
    }

    // .env in the current directory; variables already set win, as with python-dotenv.
    static string? LoadDotEnv(string path)
    {
        IEnumerable<KeyValuePair<string, string>> values;
        try
        {
            values = Env.NoClobber().Load(path);
        }
        catch (Exception)
        {
            // DotNetEnv's parser: its message quotes the file (perhaps the token) and may name the wrong line.
            return $"'{path}' could not be parsed: close every quote, and put a value with an apostrophe " +
                "in double quotes, e.g. LASTNAME=\"O'Brien\".";
        }

        // Read as UTF-8, or UTF-16 after a byte order mark (PowerShell 5.1's >): other bytes become U+FFFD.
        if (values.Any(v => v.Value.Contains('\uFFFD', StringComparison.Ordinal)))
        {
            return $"'{path}' is not UTF-8 (older Windows editors save Windows-1252): save it as UTF-8.";
        }

        return null;
    }

    static string? TokenProblem(string token, string missing)
    {
        if (token.Length == 0)
        {
            return $"HUBSPOT_KEY {missing}: set it to your service key or private app token.";
        }

        if (token == Placeholder)
        {
            return "HUBSPOT_KEY is still the placeholder from .env.example: put your service key or private app token there.";
        }

        // A pasted "Bearer ", or a line break: HubSpot would answer 401 without saying why.
        if (token.Any(c => c is <= ' ' or > '~'))
        {
            return "HUBSPOT_KEY contains spaces or characters a token cannot have: paste the token alone, without \"Bearer \".";
        }

        return null;
    }

    public static string Variable(string name) => Environment.GetEnvironmentVariable(name)?.Trim() ?? "";
}

// Every line goes out here: the token hidden, control characters escaped, so that a line stays one line.
static class Terminal
{
    static string? _token;

    // A shorter "token" is none, and would hide ordinary words.
    public static void Hide(string token) => _token = token.Length >= 8 ? token : null;

    public static void Out(params IEnumerable<string> lines) => Write(Console.Out, lines);

    public static void Error(params IEnumerable<string> lines) => Write(Console.Error, lines);

    static void Write(TextWriter writer, IEnumerable<string> lines)
    {
        foreach (var line in lines)
        {
            var hidden = _token is null ? line : line.Replace(_token, "(hidden)", StringComparison.Ordinal);
            writer.WriteLine(string.Concat(hidden.Select(c => char.IsControl(c) ? $"\\u{(int)c:X4}" : $"{c}")));
        }
    }
}

// HubSpot's answers as the program relies on them: a parameter without a default is required, only a `?` type may
// be null (HubSpotJson's options), other fields are ignored.
sealed record RecordId(string Id);

sealed record Contact(string Id, ContactAssociations? Associations = null)
{
    // Each once: HubSpot lists a company once per association label.
    public List<string> CompanyIds() => [.. (Associations?.Companies?.Results ?? []).Select(c => c.Id).Distinct()];
}

sealed record ContactAssociations(AssociatedIds? Companies = null);

sealed record AssociatedIds(List<RecordId> Results);

// A search's hits, or a batch read's records with the ids it could not read.
sealed record Companies(List<Company> Results, List<HubSpotError>? Errors = null);

sealed record Company(string Id, DateTimeOffset CreatedAt, CompanyProperties Properties);

sealed record CompanyProperties(string? Domain = null);

sealed record Association(string Status, List<HubSpotError>? Errors = null);

sealed record HubSpotError(string? Message = null, string? Category = null, string? CorrelationId = null,
    string? PolicyName = null, Dictionary<string, List<string>>? Context = null, List<HubSpotError>? Errors = null);

// The request bodies, as HubSpot's OpenAPI files require them.
sealed record NewRecord(Dictionary<string, string> Properties, List<NewAssociation> Associations);

sealed record NewAssociation(RecordId To, List<AssociationType> Types);

sealed record AssociationType(string AssociationCategory, int AssociationTypeId);

sealed record Search(List<FilterGroup> FilterGroups, List<string> Properties, List<Sort> Sorts, string After,
    int Limit);

sealed record FilterGroup(List<Filter> Filters);

sealed record Filter(string PropertyName, string Operator, string Value);

sealed record Sort(string PropertyName, string Direction);

sealed record BatchRead(List<RecordId> Inputs, List<string> Properties, List<string> PropertiesWithHistory);

[JsonSourceGenerationOptions(PropertyNamingPolicy = JsonKnownNamingPolicy.CamelCase, RespectNullableAnnotations = true,
    RespectRequiredConstructorParameters = true)]
[JsonSerializable(typeof(RecordId))]
[JsonSerializable(typeof(Contact))]
[JsonSerializable(typeof(Companies))]
[JsonSerializable(typeof(Association))]
[JsonSerializable(typeof(HubSpotError))]
[JsonSerializable(typeof(NewRecord))]
[JsonSerializable(typeof(Search))]
[JsonSerializable(typeof(BatchRead))]
sealed partial class HubSpotJson : JsonSerializerContext;
