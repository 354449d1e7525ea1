using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.Features;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.WebUtilities;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;
using Microsoft.Net.Http.Headers;
using SaasMonitor.Core.Metadata;
using SaasMonitor.Core.Search;
using SaasMonitor.Core.Identity;
using SaasMonitor.Hosting;
using SaasMonitor.Hosting.Security;

namespace Ingest.Gateway;

/// <summary>File uploads (streamed, tracked in the files collection) and their management.</summary>
internal static class FileEndpoints
{
    private const int ChunksPerAppend = 4;

    public static void MapFiles(this WebApplication app)
    {
        var files = app.MapGroup("/api").WithTags("Files");
        files.MapPost("/upload", UploadAsync)
            .WithName("UploadFile")
            .WithSummary("Upload a log file (multipart/form-data, field 'file', up to 100 MB).")
            .WithDescription("Accepted types: .csv (with a header row), .json (array of objects or objects one after another), .jsonl/.ndjson, .log/.txt (access logs, syslog, application logs; detected line by line). ?format= (auto, json, jsonl, csv, apache, text, clef, gelf) reads the file in that format whatever its name. The file is streamed to disk and checked whole (size, record size, CSV quotes) before its records go to the bus, so a refused upload leaves nothing indexed or counted; 201 answers with the file record, whose status then moves from processing to processed as the parser works through it (see GET /api/files/{id}).")
            .Accepts<IFormFile>("multipart/form-data")
            .Produces<FileView>(StatusCodes.Status201Created)
            .ProducesProblem(StatusCodes.Status400BadRequest)
            .ProducesProblem(StatusCodes.Status413PayloadTooLarge)
            .ProducesProblem(StatusCodes.Status415UnsupportedMediaType)
            .RequireAuthorization(Policies.Editor);
        files.MapGet("/files", ListAsync).WithName("ListFiles").WithSummary("Uploaded files, newest first, paginated.").RequireAuthorization(Policies.Viewer);
        files.MapGet("/files/{id}", GetAsync).WithName("GetFile").WithSummary("One uploaded file with its processing progress.")
            .Produces<FileView>().ProducesProblem(StatusCodes.Status404NotFound).RequireAuthorization(Policies.Viewer);
        files.MapGet("/files/{id}/download", DownloadAsync).WithName("DownloadFile").WithSummary("The original bytes of an uploaded file.").RequireAuthorization(Policies.Viewer);
        files.MapDelete("/files/{id}", DeleteAsync).WithName("DeleteFile").WithSummary("Delete a file, its stored bytes, its events from the index and what they added to the KPIs.")
            .WithDescription("The file disappears at once. Its events are removed by the indexer and its contributions to the KPI windows by the aggregator: 200 once both are gone (indexer and aggregator in this process), 202 while one in another process removes them (within a few seconds).")
            .ProducesProblem(StatusCodes.Status404NotFound)
            .RequireAuthorization(Policies.Editor);
    }

    private static async Task<IResult> UploadAsync(
        HttpContext context,
        RawWriter writer,
        IMetadataStore metadata,
        IFileBlobStore blobs,
        IOptions<IngestOptions> options,
        TimeProvider time,
        [FromQuery] string? format,
        CancellationToken ct)
    {
        var limits = options.Value;
        var chosen = format is null ? null : FormatNames.FromName(format);
        if (format is not null && chosen is null)
        {
            return Problem(StatusCodes.Status400BadRequest, "Unknown format", $"'{format}' is not one of auto, json, jsonl, csv, apache, text, clef, gelf.");
        }

        var request = context.Request;
        if (!MediaTypeHeaderValue.TryParse(request.ContentType, out var mediaType) || !mediaType.MediaType.Equals("multipart/form-data", StringComparison.OrdinalIgnoreCase))
        {
            return Problem(StatusCodes.Status415UnsupportedMediaType, "Expected multipart/form-data", "Send the file as multipart/form-data in a field named 'file'.");
        }

        if (request.ContentLength > limits.MaxUploadBytes + (1024 * 1024))
        {
            return Problem(StatusCodes.Status413PayloadTooLarge, "File too large", $"Files are limited to {limits.MaxUploadBytes} bytes.");
        }

        if (context.Features.Get<IHttpMaxRequestBodySizeFeature>() is { IsReadOnly: false } sizeFeature)
        {
            sizeFeature.MaxRequestBodySize = limits.MaxUploadBytes + (1024 * 1024);
        }

        var boundary = HeaderUtilities.RemoveQuotes(mediaType.Boundary).Value;
        if (string.IsNullOrEmpty(boundary))
        {
            return Problem(StatusCodes.Status400BadRequest, "Missing boundary", "The multipart Content-Type has no boundary.");
        }

        var reader = new MultipartReader(boundary, request.Body);
        while (await reader.ReadNextSectionAsync(ct).ConfigureAwait(false) is { } section)
        {
            if (ContentDispositionHeaderValue.TryParse(section.ContentDisposition, out var disposition) && disposition.IsFileDisposition())
            {
                var fileName = Path.GetFileName(HeaderUtilities.RemoveQuotes(disposition.FileNameStar.HasValue ? disposition.FileNameStar : disposition.FileName).Value ?? "upload");
                var fileFormat = chosen ?? FormatNames.FromFileName(fileName);
                if (fileFormat is null)
                {
                    return Problem(StatusCodes.Status415UnsupportedMediaType, "Unsupported file type", $"'{fileName}' is not .csv, .json, .jsonl, .ndjson, .log or .txt: rename it, or name its format with ?format=.");
                }

                var upload = new FileUpload(writer, metadata, blobs, limits, time, AuditLog.Actor(context.User));
                var file = await upload.RunAsync(section.Body, fileName, fileFormat.Value, ct).ConfigureAwait(false);
                return file.Status == FileStatus.Error
                    ? Problem(file.Error!.Contains("limit of", StringComparison.Ordinal) ? StatusCodes.Status413PayloadTooLarge : StatusCodes.Status400BadRequest, "Upload refused", file.Error)
                    : Results.Created($"/api/files/{file.Id}", FileView.From(file));
            }
        }

        return Problem(StatusCodes.Status400BadRequest, "No file", "The form has no file field.");
    }

    private static async Task<IResult> ListAsync(IMetadataStore metadata, [FromQuery] int page = 1, [FromQuery(Name = "page_size")] int pageSize = 20, CancellationToken ct = default)
    {
        page = Math.Max(1, page);
        pageSize = Math.Clamp(pageSize, 1, 200);
        var files = await metadata.ListFilesAsync((page - 1) * pageSize, pageSize, ct).ConfigureAwait(false);
        var total = await metadata.CountFilesAsync(ct).ConfigureAwait(false);
        return Results.Ok(new FilePage(total, page, pageSize, files.Select(FileView.From).ToList()));
    }

    private static async Task<IResult> GetAsync(string id, IMetadataStore metadata, CancellationToken ct) =>
        await metadata.GetFileAsync(id, ct).ConfigureAwait(false) is { } file ? Results.Ok(FileView.From(file)) : NotFound(id);

    private static async Task<IResult> DownloadAsync(string id, IMetadataStore metadata, IFileBlobStore blobs, CancellationToken ct)
    {
        if (await metadata.GetFileAsync(id, ct).ConfigureAwait(false) is not { } file || blobs.OpenRead(id) is not { } stream)
        {
            return NotFound(id);
        }

        return Results.File(stream, "application/octet-stream", file.FileName);
    }

    /// <summary>
    /// Marks the file deleted and removes its bytes; the indexer, the index's only writer, removes its events, and the
    /// aggregator, the KPI store's only writer, its KPI windows. With both in this process the answer waits for that;
    /// otherwise their next passes do it.
    /// </summary>
    private static async Task<IResult> DeleteAsync(
        string id,
        IMetadataStore metadata,
        IFileBlobStore blobs,
        ISearchStore search,
        AuditLog audit,
        HttpContext context,
        CancellationToken ct)
    {
        // Registered only where the indexer and the aggregator run in this process.
        var purges = new[] { HousekeepingTasks.DeletedFiles, HousekeepingTasks.DeletedFileKpis }
            .Select(name => context.RequestServices.GetKeyedService<IHousekeepingTask>(name))
            .ToList();
        if (!await metadata.MarkFileDeletedAsync(id, ct).ConfigureAwait(false))
        {
            return NotFound(id);
        }

        blobs.Delete(id);
        await audit.RecordAsync(context, AuditActions.FileDeleted, id).ConfigureAwait(false);
        var events = await search.CountAsync(new SearchQuery { FileId = id }, ct).ConfigureAwait(false);
        try
        {
            await Task.WhenAll(purges.OfType<IHousekeepingTask>().Select(p => p.RunNowAsync(ct))).ConfigureAwait(false);
            if (purges.TrueForAll(p => p is not null))
            {
                return Results.Ok(new { id, status = "deleted", deleted_events = events });
            }
        }
        catch (Exception ex) when (ex is not OperationCanceledException)
        {
            // Logged by the purge; the file stays deleted and the next pass removes what is left.
        }

        return Results.Accepted(value: new { id, status = "deleting", deleted_events = events });
    }

    private static IResult NotFound(string id) => Problem(StatusCodes.Status404NotFound, "File not found", $"No file with id '{id}'.");

    private static IResult Problem(int status, string title, string detail) => Results.Problem(statusCode: status, title: title, detail: detail);

    /// <summary>
    /// One upload: the bytes go to the blob store as they arrive, cut into raw records on the way to check them (size
    /// limits, record size, CSV quotes); only once the whole file has arrived and passed are its raw records read back
    /// from the blob and appended to the bus. A refused upload, however it is framed, leaves nothing indexed or counted.
    /// </summary>
    private sealed class FileUpload(RawWriter writer, IMetadataStore metadata, IFileBlobStore blobs, IngestOptions limits, TimeProvider time, string? uploadedBy)
    {
        public async Task<LogFile> RunAsync(Stream body, string fileName, SaasMonitor.Core.Events.RawFormat format, CancellationToken ct)
        {
            var file = new LogFile
            {
                Id = Guid.NewGuid().ToString("N"),
                FileName = fileName,
                FileType = Path.GetExtension(fileName).TrimStart('.').ToLowerInvariant(),
                Status = FileStatus.Pending,
                UploadedAt = time.GetUtcNow(),
                UploadedBy = uploadedBy,
            };
            await metadata.CreateFileAsync(file, ct).ConfigureAwait(false);
            var checker = new RawChunker(format, limits.ChunkBytes);
            try
            {
                await using (var blob = blobs.Create(file.Id))
                {
                    await PassAsync(new LimitedStream(body, limits.MaxUploadBytes, "file"), checker, blob, _ => Task.CompletedTask, ct).ConfigureAwait(false);
                }
            }
            catch (Exception ex) when (ex is InvalidDataException or BadHttpRequestException or RecordTooLargeException)
            {
                file = file with { Status = FileStatus.Error, SizeBytes = checker.Bytes, ChunkCount = 0, Error = $"{ex.Message} Nothing of the file was accepted." };
                await metadata.UpdateFileAsync(file, ct).ConfigureAwait(false);
                return file;
            }

            var chunkCount = 0;
            await using (var stored = blobs.OpenRead(file.Id) ?? throw new InvalidOperationException($"The blob of file {file.Id} was just written and is gone."))
            {
                await PassAsync(stored, new RawChunker(format, limits.ChunkBytes), blob: null, async chunks =>
                {
                    await writer.AppendAsync(chunks, LogFile.Source, file.Id, key: null, ct).ConfigureAwait(false);
                    chunkCount += chunks.Count;
                }, ct).ConfigureAwait(false);
            }

            file = file with { Status = FileStatus.Processing, SizeBytes = checker.Bytes, ChunkCount = chunkCount };
            await metadata.UpdateFileAsync(file, ct).ConfigureAwait(false);
            return await metadata.GetFileAsync(file.Id, ct).ConfigureAwait(false) ?? file;
        }

        /// <summary>
        /// Reads <paramref name="source"/> through <paramref name="chunker"/>, copying it to <paramref name="blob"/> when
        /// given, and hands the raw records to <paramref name="take"/> a few at a time.
        /// </summary>
        private static async Task PassAsync(Stream source, RawChunker chunker, Stream? blob, Func<List<RawChunk>, Task> take, CancellationToken ct)
        {
            var chunks = new List<RawChunk>();
            var buffer = new byte[64 * 1024];
            int n;
            while ((n = await source.ReadAsync(buffer, ct).ConfigureAwait(false)) > 0)
            {
                if (blob is not null)
                {
                    await blob.WriteAsync(buffer.AsMemory(0, n), ct).ConfigureAwait(false);
                }

                chunker.Write(buffer.AsSpan(0, n), chunks);
                if (chunks.Count >= ChunksPerAppend)
                {
                    await take(chunks).ConfigureAwait(false);
                    chunks.Clear();
                }
            }

            chunker.Complete(chunks);
            await take(chunks).ConfigureAwait(false);
        }
    }
}

/// <summary>A file as the API shows it, with progress in percent.</summary>
public sealed record FileView(
    string Id,
    string Filename,
    string FileType,
    long FileSize,
    string Status,
    DateTimeOffset UploadedAt,
    DateTimeOffset? ProcessedAt,
    long RecordsCount,
    long RejectedCount,
    double Progress,
    string? Error)
{
    public static FileView From(LogFile f) => new(
        f.Id,
        f.FileName,
        f.FileType,
        f.SizeBytes,
        f.Status.ToString().ToLowerInvariant(),
        f.UploadedAt,
        f.ProcessedAt,
        f.RecordsCount,
        f.RejectedCount,
        f.Status == FileStatus.Processed ? 100 : f.ChunkCount is > 0 and var c ? Math.Round(100.0 * f.ChunksDone / c, 1) : 0,
        f.Error);
}

public sealed record FilePage(long Total, int Page, int PageSize, IReadOnlyList<FileView> Files);
