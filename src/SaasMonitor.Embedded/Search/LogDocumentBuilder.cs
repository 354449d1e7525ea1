using System.Globalization;
using System.Runtime.InteropServices;
using System.Text;
using System.Text.Json;
using Lucene.Net.Documents;
using Lucene.Net.Index;
using Lucene.Net.Util;
using SaasMonitor.Core.Events;
using SaasMonitor.Core.Search;

namespace SaasMonitor.Embedded.Search;

/// <summary>What an event's document holds.</summary>
internal enum LogDocumentShape
{
    /// <summary>The real mapping: analysed message and the stored JSON source.</summary>
    Full,

    /// <summary>The same fields with the message indexed as one untokenised term and nothing stored (benchmark baseline).</summary>
    WithoutSourceAndAnalysis,

    /// <summary>The real mapping without the stored source: what matching needs and nothing it never reads back.</summary>
    WithoutSource,
}

/// <summary>
/// Turns events into Lucene documents. Field instances and byte buffers are created once and refilled for
/// every event, so building a document allocates only what Lucene itself copies. Not thread-safe: one per writer.
/// </summary>
internal sealed class LogDocumentBuilder
{
    private static readonly string[] StatusCodeTexts =
        [.. Enumerable.Range(0, 1000).Select(code => code.ToString(CultureInfo.InvariantCulture))];

    private readonly List<IIndexableField> _fields = new(2 * IndexFields.Keywords.Count + 8);
    private readonly KeywordSlot _id = new(IndexFields.Id);
    private readonly NumericDocValuesField _timestamp = new(LogFields.Timestamp, 0L);
    private readonly DoubleDocValuesField _responseTime = new(LogFields.ResponseTimeMs, 0d);
    private readonly Field _message;
    private readonly KeywordSlot _level = new(LogFields.Level);
    private readonly KeywordSlot _service = new(LogFields.Service);
    private readonly KeywordSlot _server = new(LogFields.Server);
    private readonly KeywordSlot _endpoint = new(LogFields.Endpoint);
    private readonly KeywordSlot _method = new(LogFields.Method);
    private readonly KeywordSlot _statusCode = new(LogFields.StatusCode);
    private readonly KeywordSlot _statusClass = new(IndexFields.StatusClass);
    private readonly KeywordSlot _clientIp = new(LogFields.ClientIp);
    private readonly KeywordSlot _userId = new(LogFields.UserId);
    private readonly KeywordSlot _tenantId = new(LogFields.TenantId);
    private readonly KeywordSlot _traceId = new(LogFields.TraceId);
    private readonly KeywordSlot _source = new(LogFields.Source);
    private readonly KeywordSlot _fileId = new(LogFields.FileId);
    private readonly StoredField? _stored;
    private readonly BytesRef _storedBytes = new();
    private readonly MemoryStream _json = new();
    private readonly Utf8JsonWriter _jsonWriter;

    public LogDocumentBuilder(LogDocumentShape shape)
    {
        _message = shape != LogDocumentShape.WithoutSourceAndAnalysis
            ? new TextField(LogFields.Message, "", Field.Store.NO)
            : new StringField(LogFields.Message, "", Field.Store.NO);
        _stored = shape == LogDocumentShape.Full ? new StoredField(IndexFields.Source, _storedBytes) : null;
        _jsonWriter = new Utf8JsonWriter(_json);
    }

    /// <summary>The fields of <paramref name="e"/>, its source <paramref name="json"/> when given (else written here); valid until the next call.</summary>
    public IEnumerable<IIndexableField> Build(LogEvent e, ReadOnlyMemory<byte>? json = null)
    {
        _fields.Clear();
        _id.AddTo(_fields, e.Id);
        _timestamp.SetInt64Value(e.Timestamp.ToUnixTimeMilliseconds());
        _fields.Add(_timestamp);
        _message.SetStringValue(e.Message);
        _fields.Add(_message);
        _level.AddTo(_fields, e.Level);
        _service.AddTo(_fields, e.Service);
        _server.AddTo(_fields, e.Server);
        _endpoint.AddTo(_fields, e.Endpoint);
        _method.AddTo(_fields, e.Method);
        if (e.StatusCode is { } status)
        {
            _statusCode.AddTo(_fields, StatusText(status));
            _statusClass.AddTo(_fields, StatusText(status / 100));
        }

        if (e.ResponseTimeMs is { } responseTime)
        {
            _responseTime.SetDoubleValue(responseTime);
            _fields.Add(_responseTime);
        }

        _clientIp.AddTo(_fields, e.ClientIp);
        _userId.AddTo(_fields, e.UserId);
        _tenantId.AddTo(_fields, e.TenantId);
        _traceId.AddTo(_fields, e.TraceId);
        _source.AddTo(_fields, e.Source);
        _fileId.AddTo(_fields, e.FileId);
        if (_stored is not null)
        {
            if (json is { } given && MemoryMarshal.TryGetArray(given, out var segment))
            {
                _storedBytes.Bytes = segment.Array;
                _storedBytes.Offset = segment.Offset;
                _storedBytes.Length = segment.Count;
            }
            else
            {
                WriteSource(e);
            }

            _fields.Add(_stored);
        }

        return _fields;
    }

    private void WriteSource(LogEvent e)
    {
        _json.SetLength(0);
        _jsonWriter.Reset(_json);
        JsonSerializer.Serialize(_jsonWriter, e, LogEventJson.Event);
        _jsonWriter.Flush();
        _storedBytes.Bytes = _json.GetBuffer();
        _storedBytes.Offset = 0;
        _storedBytes.Length = (int)_json.Length;
    }

    private static string StatusText(int status) =>
        (uint)status < StatusCodeTexts.Length ? StatusCodeTexts[status] : status.ToString(CultureInfo.InvariantCulture);

    /// <summary>One keyword: an untokenised term for matching, plus sorted doc values where the field is sorted or counted.</summary>
    private sealed class KeywordSlot(string name)
    {
        private readonly StringField _term = new(name, "", Field.Store.NO);
        private readonly BytesRef _bytes = new(64);
        private readonly SortedDocValuesField? _docValues = IndexFields.HasDocValues(name) ? new(name, new BytesRef()) : null;

        public void AddTo(List<IIndexableField> fields, string? value)
        {
            if (value is null)
            {
                return;
            }

            _term.SetStringValue(value);
            fields.Add(_term);
            if (_docValues is null)
            {
                return;
            }

            var length = Encoding.UTF8.GetMaxByteCount(value.Length);
            if (_bytes.Bytes.Length < length)
            {
                _bytes.Bytes = new byte[Math.Max(length, 2 * _bytes.Bytes.Length)];
            }

            _bytes.Length = Encoding.UTF8.GetBytes(value, _bytes.Bytes);
            _docValues.SetBytesValue(_bytes);
            fields.Add(_docValues);
        }
    }
}
