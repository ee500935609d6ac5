using System.Globalization;
using System.Net;
using System.Net.Http.Headers;
using System.Net.Mail;
using System.Net.Sockets;
using System.Reflection;
using System.Runtime.InteropServices;
using System.Text;
using System.Text.Encodings.Web;
using System.Text.Json;
using System.Text.Json.Serialization;
using System.Text.Json.Serialization.Metadata;
using System.Text.RegularExpressions;

using DotNetEnv;
using DotNetEnv.Extensions;

var dryRun = false;
foreach (var arg in args)
{
    switch (arg)
    {
        case "--dry-run":
            dryRun = true;
            break;
        case "--help" or "-h":
            Terminal.OutLines(Usage.Text);
            return Terminal.Done();
        default:
            Terminal.Error($"Unknown argument '{arg}'.");
            Terminal.ErrorLines(Usage.Text);
            return ExitCode.Usage;
    }
}

var (settings, problems, notes) = Settings.Load(Environment.GetEnvironmentVariable, DotEnvFile.Read(".env"), dryRun);
if (settings is null)
{
    Terminal.Error($"Configuration problem{(problems.Count > 1 ? "s" : "")}, nothing was sent to HubSpot:");
    foreach (var problem in problems)
    {
        Terminal.Error($"  - {problem}");
    }

    return ExitCode.Usage;
}

if (dryRun)
{
    PrintDryRun(settings, notes);
    return Terminal.Done();
}

// Ctrl+C, SIGTERM and SIGHUP (the terminal closed) cancel whatever is awaited: a pause, a request or a retry wait.
using var cancel = new CancellationTokenSource();
using var onInterrupt = PosixSignalRegistration.Create(PosixSignal.SIGINT, Cancel);
using var onTerminate = PosixSignalRegistration.Create(PosixSignal.SIGTERM, Cancel);
using var onHangUp = PosixSignalRegistration.Create(PosixSignal.SIGHUP, Cancel);
var ct = cancel.Token;

// HubSpot's API does not redirect: a 3xx is reported, never followed, so the token and the name go nowhere else.
using var http = new HttpClient(new SocketsHttpHandler { AllowAutoRedirect = false }) { Timeout = Timeout.InfiniteTimeSpan };
http.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", settings.Token.Reveal());
http.DefaultRequestHeaders.Accept.Add(new MediaTypeWithQualityHeaderValue("application/json"));
http.DefaultRequestHeaders.UserAgent.Add(new ProductInfoHeaderValue("HubSpotChallenge", Usage.Version));
var hubspot = new PacedHubSpotClient(http, settings);

Ensured? contact = null;
Ensured? company = null;
try
{
    contact = await EnsureContactAsync(hubspot, settings, ct);
    Terminal.Out($"Contact {contact}: {settings.FirstName} {settings.LastName} <{settings.Email}>");

    company = await EnsureCompanyAsync(hubspot, contact, ct);
    Terminal.Out($"Company {company}: {OurCompany.Name} ({OurCompany.Domain})");

    await AssociateAsync(hubspot, contact.Id, company.Id, ct);
    Terminal.Out($"Contact {contact.Id} associated with company {company.Id}.");

    Terminal.Out($"Done: {hubspot.RequestsSent} requests to {settings.Host}.");
    return Terminal.Done(SoFar(contact, company, associated: true));
}
catch (HubSpotException e)
{
    Terminal.Error(e.Message);
    Terminal.Error(SoFar(contact, company));
    return ExitCode.Failed;
}
catch (OperationCanceledException) when (ct.IsCancellationRequested)
{
    Terminal.Error("Cancelled.");
    Terminal.Error(SoFar(contact, company));
    return ExitCode.Cancelled;
}

void Cancel(PosixSignalContext context)
{
    context.Cancel = true;
    cancel.Cancel();
}

// Contacts are unique by email: create, and on 409 reuse the one HubSpot names.
static async Task<Ensured> EnsureContactAsync(PacedHubSpotClient hubspot, Settings settings, CancellationToken ct)
{
    var answer = await hubspot.SendAsync(
        new("creating the contact", HttpMethod.Post, Paths.Contacts, ContactBody(settings)) { AlsoAccept = HttpStatusCode.Conflict },
        response => response, ct);
    if (answer.Status != HttpStatusCode.Conflict)
    {
        return new Ensured(answer.Read(Json.Context.HubSpotRecord).Id, Created: true);
    }

    if (Patterns.ExistingId().Match(answer.Error().Message ?? "") is { Success: true } match)
    {
        return new Ensured(match.Groups[1].Value, Created: false);
    }

    // The id is only inside the message; when it is not there, read the contact by email (no index lag).
    var existing = await hubspot.SendAsync(
        new("reading the existing contact by email", HttpMethod.Get, Paths.ContactByEmail(settings.Email)),
        response => response.Read(Json.Context.HubSpotRecord), ct);
    return new Ensured(existing.Id, Created: false);
}

// HubSpot does not deduplicate companies created through the API: look for ours before creating one.
static async Task<Ensured> EnsureCompanyAsync(PacedHubSpotClient hubspot, Ensured contact, CancellationToken ct)
{
    // An existing contact leads to the company through its associations, which do not lag as search does.
    if (!contact.Created && await FindLinkedCompanyAsync(hubspot, contact.Id, ct) is { } linked)
    {
        return new Ensured(linked, Created: false);
    }

    // Another contact's run may have created it: search, which can miss a company created seconds ago.
    if (await SearchCompanyAsync(hubspot, ct) is { } found)
    {
        return new Ensured(found, Created: false);
    }

    var created = await hubspot.SendAsync(
        new("creating the company", HttpMethod.Post, Paths.Companies, CompanyBody(contact.Id)),
        response => response.Read(Json.Context.HubSpotRecord).Id,
        ct,
        // Created already associated with the contact, so a lost answer is settled by the contact's associations.
        findStored: ct => FindLinkedCompanyAsync(hubspot, contact.Id, ct));
    return new Ensured(created, Created: true);
}

// Reads by id and batch reads come from HubSpot's primary store: they see a company created a moment ago.
static async Task<string?> FindLinkedCompanyAsync(PacedHubSpotClient hubspot, string contactId, CancellationToken ct)
{
    var contact = await hubspot.SendAsync(
        new("reading the contact's companies", HttpMethod.Get, Paths.ContactWithCompanies(contactId)),
        response => response.Read(Json.Context.HubSpotRecord), ct);
    var companyIds = contact.AssociatedIds("companies");
    if (companyIds.Count == 0)
    {
        return null;
    }

    var companies = await hubspot.SendAsync(
        new("reading the contact's companies", HttpMethod.Post, Paths.CompaniesBatchRead, BatchReadBody(companyIds)),
        response => response.Read(Json.Context.BatchReadResponse) is { Status: "COMPLETE" } read
            ? read
            : throw response.Unreadable("a batch status other than COMPLETE"),
        ct);
    return OurCompany.OldestAmong(companies.Results);
}

static async Task<string?> SearchCompanyAsync(PacedHubSpotClient hubspot, CancellationToken ct)
{
    var search = await hubspot.SendAsync(
        new("searching for the company", HttpMethod.Post, Paths.CompanySearch, CompanySearchBody()),
        // Every hit of a domain filter has a domain; one without it cannot be checked, so it is not "no company".
        response => response.Read(Json.Context.SearchResponse) is var found && found.Results.All(c => c.Property("domain") is not null)
            ? found
            : throw response.Unreadable("a hit without its domain"),
        ct);
    return OurCompany.OldestAmong(search.Results);
}

// Re-associating an existing pair succeeds, so this step is safe to repeat; its 200 is read, not trusted.
static async Task AssociateAsync(PacedHubSpotClient hubspot, string contactId, string companyId, CancellationToken ct)
{
    const string Step = "associating the contact with the company";
    var answer = await hubspot.SendAsync(
        new(Step, HttpMethod.Put, Paths.Association(contactId, companyId)),
        response => response.Read(Json.Context.AssociationResponse), ct);
    var errors = answer.Errors?.OfType<HubSpotError>().ToList() ?? [];
    if (answer.Status == "COMPLETE" && answer.NumErrors is null or 0 && errors.Count == 0)
    {
        return;
    }

    if (answer.Status is "PENDING" or "PROCESSING" && errors.Count == 0)
    {
        // Accepted but not finished: only a read of the contact's associations shows whether it holds.
        var readBack = await hubspot.SendAsync(
            new("confirming the association", HttpMethod.Get, Paths.ContactWithCompanies(contactId)),
            response => response.Read(Json.Context.HubSpotRecord), ct);
        if (readBack.AssociatedIds("companies").Contains(companyId))
        {
            return;
        }

        throw new HubSpotException(
            $"HubSpot accepted the association but had not finished it ({answer.Status}) while {Step}. Run again in a minute to confirm it.");
    }

    var why = errors.Select(e => e.Message).OfType<string>().FirstOrDefault() is { } message ? $": {PlainText.Clause(message)}" : "";
    throw new HubSpotException(
        $"HubSpot did not associate contact {contactId} with company {companyId} ({answer.Status}){why}. Run again; if it keeps failing, associate them in HubSpot by hand.");
}

static string SoFar(Ensured? contact, Ensured? company, bool associated = false)
{
    var contactSoFar = contact is null ? "no contact yet" : $"contact {contact}";
    var companySoFar = company is null ? "no company yet" : $"company {company}";
    return $"So far: {contactSoFar}, {companySoFar}{(associated ? ", associated" : "")}. " +
        "Running again is safe: it reuses what exists and creates only what is missing.";
}

static string ContactBody(Settings settings) => JsonSerializer.Serialize(
    new CreateRecordRequest(new Dictionary<string, string> { ["email"] = settings.Email, ["firstname"] = settings.FirstName, ["lastname"] = settings.LastName }, []),
    Json.Context.CreateRecordRequest);

// 280 is HubSpot's unlabeled company-to-contact association: the company is born linked to the contact.
static string CompanyBody(string contactId) => JsonSerializer.Serialize(
    new CreateRecordRequest(
        new Dictionary<string, string> { ["name"] = OurCompany.Name, ["domain"] = OurCompany.Domain },
        [new AssociationInput(new RecordId(contactId), [new AssociationType("HUBSPOT_DEFINED", 280)])]),
    Json.Context.CreateRecordRequest);

// Sorted by createdate so that the oldest is on the first page, whatever the number of matches.
static string CompanySearchBody() => JsonSerializer.Serialize(
    new SearchRequest(
        [new FilterGroup([new Filter("domain", "EQ", OurCompany.Domain)])],
        ["name", "domain"],
        [new Sort("createdate", "ASCENDING")],
        After: "0",
        Limit: 100),
    Json.Context.SearchRequest);

static string BatchReadBody(IReadOnlyList<string> ids) => JsonSerializer.Serialize(
    new BatchReadRequest([.. ids.Select(id => new RecordId(id))], ["name", "domain"], []),
    Json.Context.BatchReadRequest);

static void PrintDryRun(Settings settings, IReadOnlyList<string> notes)
{
    Terminal.Out($"Dry run: nothing is sent. {settings.Host} would receive, 200 ms apart:");
    Terminal.OutLines($"""
        POST {Paths.Contacts}
          {ContactBody(settings)}
        GET  {Uri.UnescapeDataString(Paths.ContactWithCompanies("{contactId}"))}   (only when the contact exists: HubSpot answers 409)
        POST {Paths.CompaniesBatchRead}   (only when it is associated with companies)
          {BatchReadBody(["{companyId}"])}
        POST {Paths.CompanySearch}   (only when the contact has no company with domain {OurCompany.Domain})
          {CompanySearchBody()}
        POST {Paths.Companies}   (only when neither finds the company)
          {CompanyBody("{contactId}")}
        PUT  {Uri.UnescapeDataString(Paths.Association("{contactId}", "{companyId}"))}
        """);
    foreach (var note in notes)
    {
        Terminal.Out($"Note: {note}");
    }
}

static class ExitCode
{
    public const int Done = 0;
    public const int Failed = 1;
    public const int Usage = 2;
    public const int Cancelled = 130;
}

/// <summary>The company this program ensures, and how it recognises it among HubSpot's records.</summary>
static class OurCompany
{
    public const string Name = "Coding Challenge Company GmbH";
    public const string Domain = "coding-challenge-company.com";

    // Search matches words, and a contact may be linked to other companies: only our domain counts; the oldest if several.
    public static string? OldestAmong(IEnumerable<HubSpotRecord> companies) => companies
        .Where(c => string.Equals(c.Property("domain")?.Trim(), Domain, StringComparison.OrdinalIgnoreCase))
        .OrderBy(c => c.CreatedAt ?? DateTimeOffset.MaxValue)
        .ThenBy(c => c.Id.Length)
        .ThenBy(c => c.Id, StringComparer.Ordinal)
        .FirstOrDefault()?.Id;
}

static class Paths
{
    // HubSpot's date-versioned API; v3/v4 paths lose support in 2027.
    public const string ApiVersion = "2026-09";
    public const string Contacts = $"/crm/objects/{ApiVersion}/contacts";
    public const string Companies = $"/crm/objects/{ApiVersion}/companies";

    public const string CompanySearch = $"{Companies}/search";
    public const string CompaniesBatchRead = $"{Companies}/batch/read";

    public static string ContactByEmail(string email) => $"{Contacts}/{Uri.EscapeDataString(email)}?idProperty=email";

    public static string ContactWithCompanies(string contactId) => $"{Contacts}/{Uri.EscapeDataString(contactId)}?associations=companies";

    public static string Association(string contactId, string companyId) =>
        $"{Contacts}/{Uri.EscapeDataString(contactId)}/associations/default/companies/{Uri.EscapeDataString(companyId)}";
}

static class Usage
{
    public static readonly string Version =
        typeof(Usage).Assembly.GetCustomAttribute<AssemblyInformationalVersionAttribute>()?.InformationalVersion.Split('+')[0] ?? "0";

    public static readonly string Text = $"""
        HubSpotChallenge {Version}: creates a contact and the company "{OurCompany.Name}" in HubSpot and associates them.

        Usage: dotnet run [-- --dry-run | --help]
          --dry-run   check the configuration and print the requests, sending nothing (no token needed)
          -h, --help  show this help

        Configuration comes from the environment, then from .env in the current directory:
          HUBSPOT_KEY       private app token or service key (required)
          FIRSTNAME         the contact's first name (required)
          LASTNAME          the contact's last name (required)
          CONTACT_EMAIL     the contact's email (default: firstname.lastname@example.com)
          HUBSPOT_BASE_URL  API host, and a gateway's path if any (default: https://api.hubapi.com)
          HUBSPOT_TIMEOUT_SECONDS  how long to wait for each answer (default: 30)

        Exit codes: 0 done, 1 HubSpot or network failure, 2 configuration or usage error, 130 cancelled.
        """;
}

/// <summary>A record this run needs, and whether this run created it.</summary>
sealed record Ensured(string Id, bool Created)
{
    public override string ToString() => $"{Id} {(Created ? "created" : "already existed")}";
}

/// <summary>A token that never shows itself: printing it, or a record that holds it, prints "(hidden)".</summary>
sealed class Secret(string value)
{
    /// <summary>The token itself, for the Authorization header and for nothing else.</summary>
    public string Reveal() => value;

    public override string ToString() => "(hidden)";
}

/// <summary>Everything the run needs, validated before any request is sent.</summary>
sealed record Settings(Secret Token, string FirstName, string LastName, string Email, Uri BaseUrl, TimeSpan Timeout)
{
    const string TokenPlaceholder = "pat-xxxxxxxxxxxxxxxxxxxxxxxxxxxx";
    const string DefaultBaseUrl = "https://api.hubapi.com";

    // HubSpot takes far longer text; a longer name is a mistake, and a longer email local part is invalid (RFC 5321).
    const int LongestName = 200;
    const int LongestLocalPart = 64;
    const int LongestEmail = 254;

    /// <summary>Where requests go, for the user's eyes: the host and any path prefix.</summary>
    public string Host => $"{BaseUrl.Authority}{BaseUrl.AbsolutePath.TrimEnd('/')}";

    /// <summary>
    /// Reads <paramref name="environment"/>, then <paramref name="dotEnv"/>, and reports every problem at once.
    /// A dry run needs no token: a missing or placeholder one is only a note there.
    /// </summary>
    public static (Settings? Settings, List<string> Problems, List<string> Notes) Load(Func<string, string?> environment, DotEnvFile dotEnv, bool dryRun)
    {
        List<string> problems = [.. dotEnv.Problems];
        List<string> notes = [];
        HashSet<string> refused = [];

        // Variables set in the environment win over .env, as with python-dotenv; one set but empty hides .env's value.
        string Read(string name)
        {
            var value = (environment(name) ?? dotEnv.Values.GetValueOrDefault(name) ?? "").Trim();
            if (value.Length == 0 && dotEnv.Values.GetValueOrDefault(name)?.Trim().Length > 0)
            {
                problems.Add($"{name} is set but empty in the environment, which hides its value in .env: unset it (unset {name}) or give it a value.");
                refused.Add(name);
            }

            return value;
        }

        var token = Read("HUBSPOT_KEY");
        if (token.StartsWith("Bearer ", StringComparison.OrdinalIgnoreCase))
        {
            token = token["Bearer ".Length..].Trim();
        }

        if (token.Length == 0 && !refused.Contains("HUBSPOT_KEY"))
        {
            (dryRun ? notes : problems).Add("HUBSPOT_KEY is not set: put your private app token or service key in .env (see .env.example).");
        }
        else if (token.Equals(TokenPlaceholder, StringComparison.OrdinalIgnoreCase))
        {
            (dryRun ? notes : problems).Add("HUBSPOT_KEY is still the placeholder from .env.example: replace it with your private app token or service key.");
        }
        else if (!token.All(c => c is > ' ' and < '\u007f'))
        {
            problems.Add("HUBSPOT_KEY contains spaces or characters a token cannot have: paste the token alone, on one line.");
        }

        var firstName = Read("FIRSTNAME");
        var lastName = Read("LASTNAME");
        var email = Read("CONTACT_EMAIL");
        foreach (var (name, value) in new[] { ("FIRSTNAME", firstName), ("LASTNAME", lastName), ("CONTACT_EMAIL", email) })
        {
            var problem = value switch
            {
                _ when refused.Contains(name) => null,
                "" when name != "CONTACT_EMAIL" => $"{name} is not set: put the contact's {(name == "FIRSTNAME" ? "first" : "last")} name in .env.",
                _ when PlainText.FirstInvisible(value) is { } invisible =>
                    $"{name} contains a control or invisible character ({invisible}): write it as plain text on one line.",
                { Length: > LongestName } => $"{name} is {value.Length} characters long; at most {LongestName} are accepted.",
                _ when token.Length >= 8 && value.Contains(token, StringComparison.Ordinal) =>
                    $"{name} contains the token from HUBSPOT_KEY (a ${{HUBSPOT_KEY}} in .env?): it would be sent to HubSpot and printed.",
                _ => null,
            };
            if (problem is not null)
            {
                problems.Add(problem);
                refused.Add(name);
            }
        }

        if (email.Length > 0 && !refused.Contains("CONTACT_EMAIL"))
        {
            if (!IsEmail(email))
            {
                problems.Add($"CONTACT_EMAIL '{PlainText.Shortened(email)}' is not an email address of at most {LongestEmail} characters.");
            }
            else if (email.EndsWith("@" + OurCompany.Domain, StringComparison.OrdinalIgnoreCase))
            {
                problems.Add($"CONTACT_EMAIL must not use {OurCompany.Domain}: HubSpot would auto-create a second company from it.");
            }
        }
        else if (email.Length == 0 && refused.Count == 0)
        {
            email = EmailFromNames(firstName, lastName);
            if (email.Length == 0)
            {
                problems.Add("FIRSTNAME and LASTNAME have no Latin letters or digits to build an email from: set CONTACT_EMAIL.");
            }
        }

        var baseUrlText = Read("HUBSPOT_BASE_URL");
        var baseUrl = ParseBaseUrl(baseUrlText.Length == 0 ? DefaultBaseUrl : baseUrlText, problems);

        var timeoutText = Read("HUBSPOT_TIMEOUT_SECONDS");
        var timeout = TimeSpan.FromSeconds(30);
        if (timeoutText.Length > 0)
        {
            if (int.TryParse(timeoutText, NumberStyles.None, CultureInfo.InvariantCulture, out var seconds) && seconds is >= 1 and <= 300)
            {
                timeout = TimeSpan.FromSeconds(seconds);
            }
            else
            {
                problems.Add($"HUBSPOT_TIMEOUT_SECONDS '{PlainText.Shortened(timeoutText)}' is not a whole number of seconds from 1 to 300.");
            }
        }

        return problems.Count == 0
            ? (new Settings(new Secret(token), firstName, lastName, email, baseUrl!, timeout), problems, notes)
            : (null, problems, notes);
    }

    static Uri? ParseBaseUrl(string text, List<string> problems)
    {
        // A user name or password in the URL would be ignored, then echoed: refuse it without quoting it.
        if (text.Contains('@', StringComparison.Ordinal))
        {
            problems.Add("HUBSPOT_BASE_URL contains a user name or password (before an @): remove it; HubSpot takes only the token.");
            return null;
        }

        var shown = PlainText.Shortened(text);
        if (!Uri.TryCreate(text, UriKind.Absolute, out var url) || url.Scheme is not ("https" or "http") || url.Host.Length == 0)
        {
            problems.Add($"HUBSPOT_BASE_URL '{shown}' is not an absolute http(s) URL, e.g. https://api.hubapi.com.");
            return null;
        }

        if (url.Query.Length > 0 || url.Fragment.Length > 0)
        {
            problems.Add($"HUBSPOT_BASE_URL '{shown}' has a query or a fragment: give the host, and a path prefix if a gateway needs one.");
            return null;
        }

        if (url.Scheme == "http" && !url.IsLoopback)
        {
            problems.Add($"HUBSPOT_BASE_URL '{shown}' uses http:// to a host that is not this machine: the token would travel in clear text. Use https://.");
            return null;
        }

        return url;
    }

    static bool IsEmail(string text) =>
        text.Length <= LongestEmail && text.IndexOf('@') is > 0 and <= LongestLocalPart
        && MailAddress.TryCreate(text, out var address) && address.Address == text && address.DisplayName.Length == 0 && Patterns.EmailShape().IsMatch(text);

    /// <summary>firstname.lastname@example.com, lower-case, accents folded, other characters dropped, the local part at most 64 characters.</summary>
    public static string EmailFromNames(string firstName, string lastName)
    {
        var first = Fold(firstName);
        var last = Fold(lastName);
        if (first.Length + last.Length + 1 > LongestLocalPart)
        {
            first = first[..Math.Min(first.Length, LongestLocalPart / 2)];
            last = last[..Math.Min(last.Length, LongestLocalPart - 1 - first.Length)];
        }

        string[] parts = [.. new[] { first, last }.Where(p => p.Length > 0)];
        return parts.Length == 0 ? "" : $"{string.Join('.', parts)}@example.com";
    }

    // Folded by hand because the app runs without ICU (no Unicode normalisation): with ICU, Normalize(FormKD) and a
    // smaller table cost 9 ms more start-up and 4.5 MB more memory natively (bench, see README).
    static readonly (string Letters, string Plain)[] Accents =
    [
        ("àáâãäåāăą", "a"), ("æ", "ae"), ("çćĉċč", "c"), ("ďđð", "d"), ("èéêëēĕėęě", "e"), ("ĝğġģ", "g"), ("ĥħ", "h"),
        ("ìíîïĩīĭįı", "i"), ("ĳ", "ij"), ("ĵ", "j"), ("ķ", "k"), ("ĺļľŀł", "l"), ("ñńņň", "n"), ("òóôõöøōŏőơ", "o"),
        ("œ", "oe"), ("ŕŗř", "r"), ("śŝşšș", "s"), ("ß", "ss"), ("ţťŧț", "t"), ("þ", "th"), ("ùúûüũūŭůűųư", "u"),
        ("ŵ", "w"), ("ýÿŷ", "y"), ("źżž", "z"),
    ];

    static string Fold(string name)
    {
        var plain = new StringBuilder();
        foreach (var c in name.ToLowerInvariant())
        {
            plain.Append(c switch
            {
                >= 'a' and <= 'z' or >= '0' and <= '9' => c.ToString(),
                // Vietnamese letters with two marks (Latin Extended Additional) come in alphabetical blocks.
                >= '\u1EA0' and <= '\u1EB7' => "a",
                >= '\u1EB8' and <= '\u1EC7' => "e",
                >= '\u1EC8' and <= '\u1ECB' => "i",
                >= '\u1ECC' and <= '\u1EE3' => "o",
                >= '\u1EE4' and <= '\u1EF1' => "u",
                >= '\u1EF2' and <= '\u1EF9' => "y",
                _ => Array.Find(Accents, a => a.Letters.Contains(c, StringComparison.Ordinal)).Plain ?? "",
            });
        }

        return plain.ToString();
    }
}

/// <summary>
/// .env read as python-dotenv reads it, through DotNetEnv: '$' is literal but for ${VAR}, the last of duplicate keys
/// wins, single-quoted values are raw. Only a regular file of at most 64 KB is read.
/// </summary>
sealed record DotEnvFile(IReadOnlyDictionary<string, string> Values, IReadOnlyList<string> Problems)
{
    const int LargestFile = 64 * 1024;

    public static DotEnvFile Read(string path)
    {
        if (Directory.Exists(path))
        {
            return Problem($"{path} is a directory: it must be a file of NAME=value lines (see .env.example).");
        }

        if (!File.Exists(path))
        {
            return new DotEnvFile(new Dictionary<string, string>(), []);
        }

        try
        {
            return new DotEnvFile(Parse(ReadRegularFile(path)), []);
        }
        catch (Sprache.ParseException e)
        {
            // The parser's message quotes the text around the error, which may be the token: show the position only.
            return Problem($"{path} could not be parsed near line {e.Position.Line}, column {e.Position.Column}. Put values with quotes or apostrophes in double quotes, e.g. LASTNAME=\"O'Brien\".");
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            return Problem($"{path} could not be read: {PlainText.Clause(e.Message)}. It must be a regular file of at most {LargestFile / 1024} KB.");
        }
    }

    /// <summary>The variables in a .env text; ${VAR} is taken from the environment.</summary>
    public static Dictionary<string, string> Parse(string text)
    {
        // DotNetEnv expands $VAR as well as ${VAR}; python-dotenv only ${VAR}. Every other '$' stands aside as a
        // noncharacter while DotNetEnv parses, and comes back in the values.
        const char Dollar = '\uFDD0';
        var chars = text.ToCharArray();
        for (var i = 0; i < chars.Length; i++)
        {
            if (chars[i] == '$' && (i + 1 == chars.Length || chars[i + 1] != '{'))
            {
                chars[i] = Dollar;
            }
        }

        var parsed = Env.LoadContents(new string(chars), new LoadOptions(setEnvVars: false));
        return parsed.ToDotEnvDictionary(CreateDictionaryOption.TakeLast).ToDictionary(v => v.Key, v => v.Value.Replace(Dollar, '$'));
    }

    static DotEnvFile Problem(string problem) => new(new Dictionary<string, string>(), [problem]);

    // A named pipe blocks the open and /dev/zero never ends: open with a deadline, refuse what cannot seek, read a bounded amount.
    static string ReadRegularFile(string path)
    {
        var opening = Task.Run(() => new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.ReadWrite, bufferSize: 1));
        if (!opening.Wait(TimeSpan.FromSeconds(2)))
        {
            throw new IOException("opening it does not finish, so it is not a regular file (a named pipe?)");
        }

        using var file = opening.Result;
        if (!file.CanSeek)
        {
            throw new IOException("it is not a regular file");
        }

        var bytes = new byte[LargestFile + 1];
        var length = file.ReadAtLeast(bytes, bytes.Length, throwOnEndOfStream: false);
        if (length > LargestFile)
        {
            throw new IOException($"it is larger than {LargestFile / 1024} KB");
        }

        return new UTF8Encoding(false).GetString(bytes, 0, length).TrimStart('\uFEFF');
    }
}

/// <summary>Text from outside (names, URLs, HubSpot's messages) made safe to show on one terminal line.</summary>
static class PlainText
{
    /// <summary>The first character that would act on a terminal or hide itself, as U+XXXX; null when there is none.</summary>
    public static string? FirstInvisible(string text)
    {
        for (var i = 0; i < text.Length; i++)
        {
            if (Invisible(text, i))
            {
                return $"U+{(int)text[i]:X4}";
            }
        }

        return null;
    }

    /// <summary>The text with every such character written as \uXXXX, so nothing it holds can move the cursor or recolour the screen.</summary>
    public static string Printable(string text)
    {
        if (FirstInvisible(text) is null)
        {
            return text;
        }

        var result = new StringBuilder(text.Length + 16);
        for (var i = 0; i < text.Length; i++)
        {
            result.Append(Invisible(text, i) ? $"\\u{(int)text[i]:X4}" : text[i].ToString());
        }

        return result.ToString();
    }

    /// <summary>At most 80 characters, for quoting a value back to the user.</summary>
    public static string Shortened(string text) => text.Length <= 80 ? text : $"{text[..77]}...";

    /// <summary>A message as a clause to continue: no trailing period.</summary>
    public static string Clause(string text) => text.Trim().TrimEnd('.');

    /// <summary>A message as a sentence: ends with one period (or ! or ?).</summary>
    public static string Sentence(string text) => text.TrimEnd() is var t && t.Length > 0 && ".!?".Contains(t[^1], StringComparison.Ordinal) ? t : $"{t}.";

    // Controls, line separators, unpaired surrogates, private or unassigned code points, and format characters but the
    // two joiners that some scripts need inside a name (U+200C, U+200D).
    static bool Invisible(string text, int i)
    {
        var c = text[i];
        if (char.IsHighSurrogate(c) && i + 1 < text.Length && char.IsLowSurrogate(text[i + 1]))
        {
            return false;
        }

        if (char.IsLowSurrogate(c) && i > 0 && char.IsHighSurrogate(text[i - 1]))
        {
            return false;
        }

        return char.GetUnicodeCategory(c) switch
        {
            UnicodeCategory.Control or UnicodeCategory.LineSeparator or UnicodeCategory.ParagraphSeparator
                or UnicodeCategory.Surrogate or UnicodeCategory.PrivateUse or UnicodeCategory.OtherNotAssigned => true,
            UnicodeCategory.Format => c is not ('\u200C' or '\u200D'),
            _ => false,
        };
    }
}

/// <summary>
/// The program's two streams. Every line goes out printable; a stream that cannot be written (a full disk, a closed
/// descriptor) does not stop the run: it is remembered, and a run that could not report ends with exit code 1.
/// </summary>
static class Terminal
{
    static string? _lostOutput;

    public static void Out(string line)
    {
        if (_lostOutput is null && !TryWrite(Console.Out, line, out var why))
        {
            _lostOutput = why;
        }
    }

    public static void Error(string line) => TryWrite(Console.Error, line, out _);

    /// <summary>The program's own multi-line text (usage, dry run), one printable line at a time.</summary>
    public static void OutLines(string text) => Array.ForEach(text.ReplaceLineEndings("\n").Split('\n'), Out);

    public static void ErrorLines(string text) => Array.ForEach(text.ReplaceLineEndings("\n").Split('\n'), Error);

    /// <summary>Exit code 0 when standard output took every line, else 1 after saying on stderr what was done.</summary>
    public static int Done(string? whatWasDone = null)
    {
        if (_lostOutput is null)
        {
            return ExitCode.Done;
        }

        Error($"Standard output could not be written ({PlainText.Clause(_lostOutput)}), so this run's report is incomplete.{(whatWasDone is null ? "" : $" {whatWasDone}")}");
        return ExitCode.Failed;
    }

    static bool TryWrite(TextWriter stream, string line, out string? why)
    {
        try
        {
            stream.WriteLine(PlainText.Printable(line));
            why = null;
            return true;
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            why = e.Message;
            return false;
        }
    }
}

/// <summary>The one way to HubSpot: every attempt waits 200 ms first, and this loop alone decides whether to try again.</summary>
sealed class PacedHubSpotClient(HttpClient http, Settings settings)
{
    public const int MaxAttempts = 4;

    const int LargestAnswer = 1024 * 1024;

    // The original script's pace: it keeps a run far below HubSpot's 100 requests per 10 seconds.
    static readonly TimeSpan Pace = TimeSpan.FromMilliseconds(200);

    // Longer waits than this are not worth sitting through: the user is told to run again later.
    static readonly TimeSpan LongestWait = TimeSpan.FromSeconds(60);

    public int RequestsSent { get; private set; }

    Uri BaseUrl => settings.BaseUrl;

    string Host => settings.Host;

    /// <summary>
    /// Sends until HubSpot answers 2xx (or <see cref="HubSpotRequest.AlsoAccept"/>), at most <see cref="MaxAttempts"/> times in all,
    /// and reads the answer. A request that must not be repeated blind passes <paramref name="findStored"/>: after a failure
    /// HubSpot may have acted on, it looks for what was stored before it sends again or gives up.
    /// </summary>
    public async Task<T> SendAsync<T>(HubSpotRequest request, Func<HubSpotResponse, T> read, CancellationToken ct,
        Func<CancellationToken, Task<T?>>? findStored = null)
        where T : class
    {
        for (var attempt = 1; ; attempt++)
        {
            await Task.Delay(Pace, ct);
            var (answer, failure) = await SendOnceAsync(request, ct);
            if (answer is not null && (answer.IsSuccess || answer.Status == request.AlsoAccept))
            {
                return read(answer);
            }

            failure ??= answer!.ToFailure();
            var wait = failure.Wait ?? Backoff(attempt);
            var tryAgain = failure.WorthRetrying && wait <= LongestWait && attempt < MaxAttempts;
            if (failure.MayHaveHappened && findStored is not null)
            {
                // Not sent again blind: first look for what HubSpot may have stored from this attempt.
                var pause = tryAgain ? wait : Backoff(1);
                Announce(request.Step, $"{failure.Reason}; checking in {pause.TotalSeconds:0.0} s whether HubSpot stored it" +
                    (tryAgain ? $" before trying again (attempt {attempt + 1} of {MaxAttempts})." : "."));
                await Task.Delay(pause, ct);
                if (await findStored(ct) is { } stored)
                {
                    return stored;
                }
            }
            else if (tryAgain)
            {
                Announce(request.Step, $"{failure.Reason}; trying again in {wait.TotalSeconds:0.0} s (attempt {attempt + 1} of {MaxAttempts}).");
                await Task.Delay(wait, ct);
            }

            if (!tryAgain)
            {
                throw failure.GiveUp(attempt, failure.WorthRetrying && wait > LongestWait ? wait : null);
            }
        }
    }

    /// <summary>About 1 s, 2 s, 4 s with ±20% jitter, so many clients do not retry in step.</summary>
    public static TimeSpan Backoff(int attempt) =>
        TimeSpan.FromSeconds(Math.Pow(2, attempt - 1) * (0.8 + (0.4 * Random.Shared.NextDouble())));

    static void Announce(string step, string text) => Terminal.Out($"{char.ToUpperInvariant(step[0])}{step[1..]}: {text}");

    async Task<(HubSpotResponse? Answer, Failure? Failure)> SendOnceAsync(HubSpotRequest request, CancellationToken ct)
    {
        // The base URL's path (a gateway's prefix) is kept: requests go below it.
        using var message = new HttpRequestMessage(request.Method, new Uri($"{BaseUrl.GetLeftPart(UriPartial.Path).TrimEnd('/')}{request.Path}"));
        if (request.Body is not null)
        {
            message.Content = new StringContent(request.Body, Encoding.UTF8, "application/json");
        }

        // One deadline for the whole exchange, body included (HttpClient's own timeout stops at the headers).
        using var deadline = CancellationTokenSource.CreateLinkedTokenSource(ct);
        deadline.CancelAfter(settings.Timeout);
        RequestsSent++;
        try
        {
            using var answer = await http.SendAsync(message, HttpCompletionOption.ResponseHeadersRead, deadline.Token);
            if ((int)answer.StatusCode is >= 300 and < 400)
            {
                return (null, Redirected(request.Step, answer));
            }

            return await ReadBoundedAsync(answer.Content, deadline.Token) is { } body
                ? (new HubSpotResponse(request.Step, Host, answer.StatusCode, body, answer.Content.Headers.ContentType?.MediaType, answer.Headers), null)
                : (null, new Failure(
                    $"{Host} answered {(int)answer.StatusCode} with more than {LargestAnswer / 1024 / 1024} MB while {request.Step}; HubSpot's answers here are a few KB. Check HUBSPOT_BASE_URL.",
                    "the answer was too large"));
        }
        catch (HttpRequestException e)
        {
            var (reason, worthRetrying, mayHaveHappened) = e.HttpRequestError switch
            {
                HttpRequestError.NameResolutionError when e.InnerException is SocketException { SocketErrorCode: SocketError.TryAgain } =>
                    ("the host name could not be resolved for now", true, false),
                HttpRequestError.NameResolutionError => ($"the host name {BaseUrl.Host} does not exist", false, false),
                HttpRequestError.ConnectionError => ("the connection was refused or failed", true, false),
                HttpRequestError.SecureConnectionError => ("the TLS handshake failed (is it an https server?)", false, false),
                HttpRequestError.InvalidResponse => ($"the answer was not HTTP ({PlainText.Clause(e.Message)})", false, false),
                HttpRequestError.ResponseEnded or HttpRequestError.Unknown when e.InnerException is IOException =>
                    ("the connection closed before HubSpot answered", true, true),
                _ => (PlainText.Clause(e.Message), false, true),
            };
            return (null, new Failure(
                $"Could not reach HubSpot at {Host} while {request.Step}: {reason}. Check HUBSPOT_BASE_URL and your connection.", reason)
            {
                WorthRetrying = worthRetrying,
                MayHaveHappened = mayHaveHappened,
            });
        }
        catch (OperationCanceledException) when (!ct.IsCancellationRequested)
        {
            var reason = $"no answer within {settings.Timeout.TotalSeconds:0} s";
            return (null, new Failure(
                $"HubSpot at {Host} gave {reason} while {request.Step}. Check your connection (HUBSPOT_TIMEOUT_SECONDS sets the limit), then run again.", reason)
            {
                WorthRetrying = true,
                MayHaveHappened = true,
            });
        }
    }

    // HubSpot's answers here are a few KB: refuse anything past 1 MB instead of holding it all in memory.
    static async Task<byte[]?> ReadBoundedAsync(HttpContent content, CancellationToken ct)
    {
        if (content.Headers.ContentLength > LargestAnswer)
        {
            return null;
        }

        await using var stream = await content.ReadAsStreamAsync(ct);
        using var body = new MemoryStream();
        var chunk = new byte[16 * 1024];
        int read;
        while ((read = await stream.ReadAsync(chunk, ct)) > 0)
        {
            if (body.Length + read > LargestAnswer)
            {
                return null;
            }

            body.Write(chunk, 0, read);
        }

        return body.ToArray();
    }

    Failure Redirected(string step, HttpResponseMessage answer)
    {
        // Only scheme, host and path of the target: its query could carry anything.
        var target = answer.Headers.Location is { } location
            ? (location.IsAbsoluteUri ? location : new Uri(BaseUrl, location)).GetLeftPart(UriPartial.Path)
            : "nowhere (no Location)";
        return new Failure(
            $"{Host} answered {(int)answer.StatusCode} while {step}, redirecting to {PlainText.Shortened(target)}; HubSpot's API does not redirect, so it was not followed. Check HUBSPOT_BASE_URL.",
            $"redirected ({(int)answer.StatusCode})");
    }
}

/// <summary>One request as the steps describe it; the paced client sends it.</summary>
sealed record HubSpotRequest(string Step, HttpMethod Method, string Path, string? Body = null)
{
    /// <summary>A status besides 2xx that the step reads itself (409 for an existing contact).</summary>
    public HttpStatusCode? AlsoAccept { get; init; }
}

/// <summary>Why an attempt failed: the line for the user, the short reason for a retry line, and what it means for the next attempt.</summary>
sealed record Failure(string Text, string Reason)
{
    /// <summary>Whether another attempt could pass: a rate limit, a lock, server trouble, a lost connection.</summary>
    public bool WorthRetrying { get; init; }

    /// <summary>The wait HubSpot asked for (Retry-After, the rate-limit window); without one the client backs off.</summary>
    public TimeSpan? Wait { get; init; }

    /// <summary>HubSpot may have carried out the request although no answer said so (a timeout, a lost connection, a 5xx).</summary>
    public bool MayHaveHappened { get; init; }

    public string? CorrelationId { get; init; }

    public HubSpotException GiveUp(int attempts, TimeSpan? tooLongWait) => new(
        Text
        + (tooLongWait is { } wait ? $" HubSpot asked to wait {HubSpotResponse.Describe(wait)}: run again then." : "")
        + (attempts > 1 ? $" Gave up after {attempts} attempts." : "")
        + (CorrelationId is null ? "" : $" (correlation id {CorrelationId})"));
}

/// <summary>An answer from HubSpot, read whole as UTF-8 bytes whatever its Content-Type says (they are small).</summary>
sealed record HubSpotResponse(string Step, string Host, HttpStatusCode Status, byte[] Body, string? MediaType, HttpResponseHeaders Headers)
{
    static readonly int[] ServerTrouble = [500, 502, 503, 504, 521];

    public bool IsSuccess => (int)Status is >= 200 and < 300;

    /// <summary>The answer as <typeparamref name="T"/>, every field the program relies on present; else the run stops here.</summary>
    public T Read<T>(JsonTypeInfo<T> type)
    {
        try
        {
            return JsonSerializer.Deserialize(Body, type) ?? throw new Json.Unusable("null");
        }
        catch (JsonException e)
        {
            var at = e.Path ?? "$";
            var missing = e.Message.IndexOf("including: ", StringComparison.Ordinal) is var i and >= 0 ? PlainText.Clause(e.Message[(i + 11)..]) : null;
            throw Unreadable(
                e is Json.Unusable ? $"{e.Message} at {at}"
                : !IsJson ? $"{MediaType ?? "no content type"}, not JSON"
                : missing is not null ? $"no {missing} at {at}"
                : e.Message.Contains("null values", StringComparison.Ordinal) ? $"null at {at}"
                : $"nothing usable at {at}");
        }
    }

    /// <summary>A 2xx that lacks what the program needs is a failure, never "nothing found": nothing is created on its strength.</summary>
    public HubSpotException Unreadable(string detail) => new(
        $"HubSpot answered {(int)Status} while {Step}, but without what the program needs ({detail}), so the run stops here. " +
        "Check that HUBSPOT_BASE_URL points at HubSpot's API; running again is safe.");

    bool IsJson => Body.AsSpan().TrimStart(" \t\r\n"u8) is [(byte)'{' or (byte)'[', ..];

    public HubSpotError Error()
    {
        try
        {
            return JsonSerializer.Deserialize(Body, Json.Context.HubSpotError) ?? new HubSpotError();
        }
        catch (JsonException)
        {
            return new HubSpotError();
        }
    }

    /// <summary>What this error answer means: the line the user reads, and whether and when to try again.</summary>
    public Failure ToFailure()
    {
        var error = Error();
        var code = (int)Status;
        var category = error.Category ?? error.PolicyName;
        var label = category is null ? $"{code}" : $"{code} {category}";
        var message = error.Message is { Length: > 0 } m ? PlainText.Sentence(Readable(m)) : "(no message).";
        var text = code switch
        {
            // Not HubSpot's JSON (an HTML page from a proxy, a captive portal, a wrong host): the address is the likely fault.
            _ when Body.Length > 0 && !IsJson =>
                $"{Host} answered {code} with {MediaType ?? "no content type"}, not HubSpot's JSON, while {Step}. Check HUBSPOT_BASE_URL (HubSpot's API is https://api.hubapi.com).",
            401 => $"HubSpot rejected the token ({label}) while {Step}. Check HUBSPOT_KEY: it may be expired, revoked, rotated, or for another account.",
            403 when error.Category == "MISSING_SCOPES" || error.Scopes().Count > 0 =>
                $"The token lacks a scope needed for {Step} ({label}): {(error.Scopes() is { Count: > 0 } scopes ? string.Join(", ", scopes) : PlainText.Clause(message))}. " +
                "Grant it to your service key or private app in HubSpot (Development › Keys, or the app's Scopes tab), then run again.",
            403 => $"HubSpot refused {Step} ({label}): {message} Check that HUBSPOT_KEY belongs to the account you mean, then run again.",
            400 => $"HubSpot refused the values ({label}) while {Step}: {message} Correct what it names (in .env, or the portal's validation rules in HubSpot), then run again.",
            404 => $"HubSpot answered {label} while {Step}: {message} Check HUBSPOT_BASE_URL; if a record was deleted in HubSpot meanwhile, run again.",
            429 when error.PolicyName == "DAILY" =>
                $"HubSpot's daily API limit for this account is spent ({label}) while {Step}. It resets at midnight in the account's time zone; run again then.",
            429 => $"HubSpot's rate limit held ({label}) while {Step}: {message} Wait a little, then run again.",
            477 => $"The HubSpot account is being migrated ({label}) while {Step}: {message} " +
                $"Run again {(RetryAfter() is { } after ? $"in {Describe(after)}" : "later")}.",
            >= 500 => $"HubSpot had trouble ({label}) while {Step}: {message} Run again later.",
            _ => $"HubSpot answered {label} while {Step}: {message} Check HUBSPOT_BASE_URL and HubSpot's status page (status.hubspot.com), then run again.",
        };
        var retryAfter = RetryAfter();
        var worthRetrying = code switch
        {
            429 => error.PolicyName != "DAILY",
            423 => true,
            _ => ServerTrouble.Contains(code),
        };
        return new Failure(text, $"HubSpot answered {label}")
        {
            WorthRetrying = worthRetrying,
            Wait = !worthRetrying ? null : code switch
            {
                429 => retryAfter ?? IntervalWindow() ?? TimeSpan.FromSeconds(error.PolicyName == "SECONDLY" ? 1 : 10),
                423 => retryAfter > TimeSpan.FromSeconds(2) ? retryAfter : TimeSpan.FromSeconds(2),
                _ => retryAfter,
            },
            // A 5xx may come after HubSpot stored the record; a 4xx means it did nothing.
            MayHaveHappened = code >= 500,
            CorrelationId = error.CorrelationId ?? (Headers.TryGetValues("X-HubSpot-Correlation-Id", out var ids) ? ids.FirstOrDefault() : null),
        };
    }

    TimeSpan? RetryAfter() =>
        Headers.RetryAfter switch
        {
            { Delta: { } delta } => delta,
            { Date: { } date } => date > DateTimeOffset.UtcNow ? date - DateTimeOffset.UtcNow : TimeSpan.Zero,
            _ => null,
        };

    TimeSpan? IntervalWindow() =>
        Headers.TryGetValues("X-HubSpot-RateLimit-Interval-Milliseconds", out var values)
        && int.TryParse(values.FirstOrDefault(), NumberStyles.None, CultureInfo.InvariantCulture, out var ms) && ms > 0
            ? TimeSpan.FromMilliseconds(ms)
            : null;

    public static string Describe(TimeSpan wait) =>
        wait < TimeSpan.FromMinutes(2) ? $"{wait.TotalSeconds:0} s" : wait < TimeSpan.FromHours(2) ? $"{wait.TotalMinutes:0} min" : $"{wait.TotalHours:0} h";

    // Validation errors carry JSON inside the message: "Property values were not valid: [{...}]".
    static string Readable(string message)
    {
        var start = message.IndexOf(": [", StringComparison.Ordinal);
        if (start < 0)
        {
            return message;
        }

        try
        {
            var details = JsonSerializer.Deserialize(message[(start + 2)..], Json.Context.ListValidationDetail);
            var texts = details?.Select(d => d.Message).OfType<string>().ToList() ?? [];
            return texts.Count == 0 ? message : $"{message[..start]}: {string.Join("; ", texts)}";
        }
        catch (JsonException)
        {
            return message;
        }
    }
}

/// <summary>A failure already worded for the user: one line, no stack trace.</summary>
sealed class HubSpotException(string message) : Exception(message);

sealed record CreateRecordRequest(IReadOnlyDictionary<string, string> Properties, IReadOnlyList<AssociationInput> Associations);

sealed record AssociationInput(RecordId To, IReadOnlyList<AssociationType> Types);

sealed record AssociationType(string AssociationCategory, int AssociationTypeId);

sealed record RecordId(string Id) : IJsonOnDeserialized
{
    void IJsonOnDeserialized.OnDeserialized() => Json.NotEmpty(Id);
}

sealed record SearchRequest(IReadOnlyList<FilterGroup> FilterGroups, IReadOnlyList<string> Properties, IReadOnlyList<Sort> Sorts, string After, int Limit);

sealed record FilterGroup(IReadOnlyList<Filter> Filters);

sealed record Filter(string PropertyName, string Operator, string Value);

sealed record Sort(string PropertyName, string Direction);

sealed record BatchReadRequest(IReadOnlyList<RecordId> Inputs, IReadOnlyList<string> Properties, IReadOnlyList<string> PropertiesWithHistory);

// The answers below are read strictly (see Json): a missing or null field the program relies on fails the read,
// and each type checks what the serializer cannot: no null list entries, no empty ids.
sealed record SearchResponse(IReadOnlyList<HubSpotRecord> Results) : IJsonOnDeserialized
{
    void IJsonOnDeserialized.OnDeserialized() => Json.NoNulls(Results, "results");
}

sealed record BatchReadResponse(string Status, IReadOnlyList<HubSpotRecord> Results) : IJsonOnDeserialized
{
    void IJsonOnDeserialized.OnDeserialized() => Json.NoNulls(Results, "results");
}

sealed record AssociationResponse(string Status, int? NumErrors = null, IReadOnlyList<HubSpotError?>? Errors = null);

sealed record HubSpotRecord(
    string Id,
    DateTimeOffset? CreatedAt = null,
    IReadOnlyDictionary<string, string?>? Properties = null,
    IReadOnlyDictionary<string, AssociatedRecords>? Associations = null) : IJsonOnDeserialized
{
    public string? Property(string name) => Properties?.GetValueOrDefault(name);

    /// <summary>The ids of the associated records of one type; HubSpot lists a record once per association label.</summary>
    public IReadOnlyList<string> AssociatedIds(string objectType) =>
        Associations?.GetValueOrDefault(objectType)?.Results.Select(r => r.Id).Distinct().ToList() ?? [];

    void IJsonOnDeserialized.OnDeserialized() => Json.NotEmpty(Id);
}

sealed record AssociatedRecords(IReadOnlyList<RecordId> Results) : IJsonOnDeserialized
{
    void IJsonOnDeserialized.OnDeserialized() => Json.NoNulls(Results, "results");
}

sealed record ValidationDetail(string? Message, string? Name);

sealed record HubSpotError(
    string? Message = null,
    string? CorrelationId = null,
    string? Category = null,
    string? PolicyName = null,
    IReadOnlyList<HubSpotErrorDetail?>? Errors = null,
    JsonElement? Context = null)
{
    static readonly string[] ScopeKeys = ["requiredScopes", "requiredGranularScopes", "missingScopes"];

    /// <summary>The scopes HubSpot says are missing, wherever this error shape puts them.</summary>
    public IReadOnlyList<string> Scopes()
    {
        var contexts = (Errors ?? []).Select(e => e?.Context).Append(Context).OfType<JsonElement>();
        return [.. contexts
            .Where(c => c.ValueKind == JsonValueKind.Object)
            .SelectMany(c => ScopeKeys.Select(key => c.TryGetProperty(key, out var list) ? list : default))
            .Where(list => list.ValueKind == JsonValueKind.Array)
            .SelectMany(list => list.EnumerateArray())
            .Where(scope => scope.ValueKind == JsonValueKind.String)
            .Select(scope => scope.GetString()!)
            .Distinct()];
    }
}

sealed record HubSpotErrorDetail(string? Message, JsonElement? Context);

static partial class Patterns
{
    // HubSpot's 409 names the existing contact only in prose: "Contact already exists. Existing ID: 37765128953".
    [GeneratedRegex(@"Existing ID: (\d+)")]
    public static partial Regex ExistingId();

    [GeneratedRegex(@"^[^@\s]+@[^@\s]+\.[^@\s]+$")]
    public static partial Regex EmailShape();
}

static class Json
{
    // HubSpot's camelCase names; non-ASCII names stay readable in --dry-run output (still valid JSON). Answers are
    // read strictly: a non-nullable field that is missing or null fails the read instead of becoming a null.
    public static readonly AppJson Context = new(new JsonSerializerOptions(JsonSerializerDefaults.Web)
    {
        Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping,
        RespectNullableAnnotations = true,
        RespectRequiredConstructorParameters = true,
    });

    public static void NoNulls<T>(IReadOnlyList<T> items, string name)
    {
        if (items.Any(item => item is null))
        {
            throw new Unusable($"a null entry in {name}");
        }
    }

    public static void NotEmpty(string id)
    {
        if (string.IsNullOrWhiteSpace(id))
        {
            throw new Unusable("an empty id");
        }
    }

    /// <summary>What the serializer cannot see: a null entry, an empty id. Its message says which.</summary>
    public sealed class Unusable(string what) : JsonException(what);
}

[JsonSerializable(typeof(CreateRecordRequest))]
[JsonSerializable(typeof(SearchRequest))]
[JsonSerializable(typeof(BatchReadRequest))]
[JsonSerializable(typeof(SearchResponse))]
[JsonSerializable(typeof(BatchReadResponse))]
[JsonSerializable(typeof(AssociationResponse))]
[JsonSerializable(typeof(HubSpotRecord))]
[JsonSerializable(typeof(HubSpotError))]
[JsonSerializable(typeof(List<ValidationDetail>))]
sealed partial class AppJson : JsonSerializerContext;
