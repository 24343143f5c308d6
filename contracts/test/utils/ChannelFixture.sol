// SPDX-License-Identifier: MIT
pragma solidity ^0.8.24;

import {Test} from "./Test.sol";
import {Merkle} from "./Merkle.sol";
import {ChannelSettlement} from "../../src/ChannelSettlement.sol";
import {IChannelSettlement} from "../../src/interfaces/IChannelSettlement.sol";
import {ISettlement} from "../../src/interfaces/ISettlement.sol";
import {TestToken} from "../../src/test/TestToken.sol";

/// @notice Shared setup for the settlement tests: deterministic keys, signing, channels, balances.
abstract contract ChannelFixture is Test {
    uint256 internal constant SECP256K1_N = 0xFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFEBAAEDCE6AF48A03BBFD25E8CD0364141;
    uint64 internal constant WINDOW = 1 days;
    uint256 internal constant T0 = 1_700_000_000;

    struct Balance {
        address participant;
        address token;
        uint256 amount;
    }

    /// @dev The one address users call (both halves of the contract, see ISettlement).
    ISettlement internal settlement;
    TestToken internal token;

    uint256[] internal walletKeys;
    address[] internal wallets;
    uint256[] internal sessionKeys;
    address[] internal sessions;

    function setUp() public virtual {
        vm.warp(T0);
        settlement = ISettlement(address(new ChannelSettlement()));
        token = new TestToken("Test USD", "tUSD", 6);
    }

    // ---------------------------------------------------------------- keys and signatures

    function _key(string memory kind, uint256 i) internal pure returns (uint256) {
        return uint256(keccak256(abi.encode(kind, i))) % (SECP256K1_N - 1) + 1;
    }

    /// @dev Creates participants 0..n-1 (idempotent for the same n).
    function _makeParticipants(uint256 n) internal {
        while (wallets.length < n) {
            uint256 i = wallets.length;
            walletKeys.push(_key("wallet", i));
            wallets.push(vm.addr(walletKeys[i]));
            sessionKeys.push(_key("session", i));
            sessions.push(vm.addr(sessionKeys[i]));
        }
    }

    function _sign(uint256 key, bytes32 digest) internal pure returns (bytes memory) {
        (uint8 v, bytes32 r, bytes32 s) = vm.sign(key, digest);
        return abi.encodePacked(r, s, v);
    }

    /// @dev The other valid-looking signature for the same key and digest: (r, n - s, v ^ 1).
    function _highS(bytes memory sig) internal pure returns (bytes memory) {
        (bytes32 r, bytes32 s, uint8 v) = _split(sig);
        return abi.encodePacked(r, bytes32(SECP256K1_N - uint256(s)), v == 27 ? uint8(28) : uint8(27));
    }

    /// @dev ERC-2098 compact form (64 bytes: r ‖ yParity·2^255 + s).
    function _compact(bytes memory sig) internal pure returns (bytes memory) {
        (bytes32 r, bytes32 s, uint8 v) = _split(sig);
        return abi.encodePacked(r, bytes32(uint256(s) | (uint256(v - 27) << 255)));
    }

    function _withV(bytes memory sig, uint8 v) internal pure returns (bytes memory) {
        (bytes32 r, bytes32 s,) = _split(sig);
        return abi.encodePacked(r, s, v);
    }

    function _split(bytes memory sig) internal pure returns (bytes32 r, bytes32 s, uint8 v) {
        assembly ("memory-safe") {
            r := mload(add(sig, 0x20))
            s := mload(add(sig, 0x40))
            v := byte(0, mload(add(sig, 0x60)))
        }
    }

    // ---------------------------------------------------------------- channels

    function _tokens() internal view returns (address[] memory tokens) {
        tokens = new address[](2);
        tokens[0] = address(token);
        tokens[1] = address(0);
    }

    function _params(uint256 n, uint16 t) internal returns (IChannelSettlement.OpenParams memory p) {
        _makeParticipants(n);
        p.participants = new address[](n);
        p.sessionKeys = new address[](n);
        p.roles = new uint8[](n);
        for (uint256 i = 0; i < n; ++i) {
            p.participants[i] = wallets[i];
            p.sessionKeys[i] = sessions[i];
            p.roles[i] = uint8(i % 4);
        }
        p.threshold = t;
        p.disputeWindow = WINDOW;
        p.minStake = 0.1 ether;
        p.maxLeverage = 10;
        p.tokens = _tokens();
        p.nonce = 1;
    }

    /// @dev Wallet authorisations for `p`, assuming participant i is wallets[i].
    function _authSigs(IChannelSettlement.OpenParams memory p) internal view returns (bytes[] memory sigs) {
        bytes32 id = settlement.computeChannelId(p);
        sigs = new bytes[](p.participants.length);
        for (uint256 i = 0; i < sigs.length; ++i) {
            sigs[i] = _sign(walletKeys[i], settlement.hashSessionKey(id, p.participants[i], p.sessionKeys[i]));
        }
    }

    /// @dev Opens `p` from its first participant (only participants may open).
    function _open(IChannelSettlement.OpenParams memory p) internal returns (bytes32) {
        bytes[] memory sigs = _authSigs(p);
        vm.prank(p.participants[0]);
        return settlement.open(p, sigs);
    }

    function _open(uint256 n, uint16 t) internal returns (bytes32) {
        return _open(_params(n, t));
    }

    // ---------------------------------------------------------------- checkpoints and blocks

    function _cp(uint64 version, bytes32 balancesRoot) internal pure returns (IChannelSettlement.Checkpoint memory) {
        return IChannelSettlement.Checkpoint({
            version: version,
            leader: keccak256(abi.encode("leader", version)),
            time: uint64(uint256(version) * 1000), // truncated for huge fuzzed versions: any value will do
            depositCount: 0,
            forcedCount: 0,
            stateRoot: keccak256(abi.encode("state", version)),
            balancesRoot: balancesRoot
        });
    }

    function _signCp(bytes32 id, IChannelSettlement.Checkpoint memory cp, uint256[] memory signers)
        internal
        view
        returns (bytes[] memory sigs)
    {
        bytes32 digest = settlement.hashCheckpoint(id, cp);
        sigs = new bytes[](signers.length);
        for (uint256 i = 0; i < signers.length; ++i) {
            sigs[i] = _sign(sessionKeys[signers[i]], digest);
        }
    }

    /// @dev Signatures of participants 0..count-1.
    function _signCp(bytes32 id, IChannelSettlement.Checkpoint memory cp, uint256 count)
        internal
        view
        returns (bytes[] memory)
    {
        return _signCp(id, cp, _range(count));
    }

    function _range(uint256 count) internal pure returns (uint256[] memory r) {
        r = new uint256[](count);
        for (uint256 i = 0; i < count; ++i) {
            r[i] = i;
        }
    }

    /// @dev A block at round = seq (the usual case: one block per round).
    function _header(bytes32 id, uint256 author, uint64 seq, bytes32 opsHash)
        internal
        view
        returns (IChannelSettlement.BlockHeader memory)
    {
        return _headerAt(id, author, seq, seq, opsHash);
    }

    function _headerAt(bytes32 id, uint256 author, uint64 seq, uint64 round, bytes32 opsHash)
        internal
        view
        returns (IChannelSettlement.BlockHeader memory h)
    {
        h.author = wallets[author];
        h.seq = seq;
        h.round = round;
        h.time = uint64(uint256(round) * 1000);
        h.prev = keccak256(abi.encode("prev", seq));
        h.parentsHash = keccak256(abi.encode("parents", seq));
        h.opsHash = opsHash;
        h.signature = _sign(sessionKeys[author], settlement.hashBlock(id, h));
    }

    // ---------------------------------------------------------------- balances and proofs

    /// @dev The leaf exactly as the channel core builds it (independent of the contract's helper).
    function _leaf(bytes32 id, uint64 version, Balance memory b) internal pure returns (bytes32) {
        return keccak256(bytes.concat(keccak256(abi.encode(id, version, b.participant, b.token, b.amount))));
    }

    function _leaves(bytes32 id, uint64 version, Balance[] memory bals)
        internal
        pure
        returns (bytes32[] memory leaves)
    {
        leaves = new bytes32[](bals.length);
        for (uint256 i = 0; i < bals.length; ++i) {
            leaves[i] = _leaf(id, version, bals[i]);
        }
    }

    function _root(bytes32 id, uint64 version, Balance[] memory bals) internal pure returns (bytes32) {
        return Merkle.root(_leaves(id, version, bals));
    }

    function _proof(bytes32 id, uint64 version, Balance[] memory bals, uint256 which)
        internal
        pure
        returns (bytes32[] memory)
    {
        return Merkle.proof(_leaves(id, version, bals), _leaf(id, version, bals[which]));
    }

    // ---------------------------------------------------------------- funding

    function _deposit(bytes32 id, uint256 who, uint256 amount) internal returns (uint64) {
        token.mint(wallets[who], amount);
        vm.prank(wallets[who]);
        token.approve(address(settlement), amount);
        vm.prank(wallets[who]);
        return settlement.deposit(id, address(token), amount);
    }

    function _depositEth(bytes32 id, uint256 who, uint256 amount) internal returns (uint64) {
        vm.deal(wallets[who], wallets[who].balance + amount);
        vm.prank(wallets[who]);
        return settlement.depositEth{value: amount}(id);
    }

    function _bond(bytes32 id, uint256 who, uint256 amount) internal {
        vm.deal(wallets[who], wallets[who].balance + amount);
        vm.prank(wallets[who]);
        settlement.bond{value: amount}(id);
    }

    /// @dev Proposes `cp` with the first `t` signatures, waits out the window and finalizes.
    function _finalize(bytes32 id, IChannelSettlement.Checkpoint memory cp, uint256 t) internal {
        settlement.propose(id, cp, _signCp(id, cp, t));
        vm.warp(settlement.getChannel(id).deadline);
        settlement.finalize(id);
    }
}
